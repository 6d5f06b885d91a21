package org.toyvm.core.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A chunk view reads and writes the block's own memory, and stops being valid when the block drops its chunk. */
class ChunkViewTest {
    private final RamBlock b = new HostAddressSpace().map("r", 4L * RamBlock.CHUNK_SIZE);
    private final ChunkView v = new ChunkView();

    @Test
    void readsAndWritesTheBlocksMemoryLittleEndian() {
        long at = RamBlock.CHUNK_SIZE + 0x100;
        b.putU64(at, 0x0807060504030201L);
        assertTrue(v.open(b, at, 64));
        assertEquals(0x0807060504030201L, v.getU64(0));
        assertEquals(0x0302, v.getU16(1));
        v.putU16(8, (short) 0xbeef);
        v.putU64(16, -2L);
        assertEquals((short) 0xbeef, b.getU16(at + 8));
        assertEquals(-2L, b.getU64(at + 16));
        assertTrue(v.valid());
    }

    @Test
    void accessesOutsideTheWindowThrowInsteadOfTouchingNeighbours() {
        b.putU8(0, (byte) 1);
        assertTrue(v.open(b, 0, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> v.getU64(9));
        assertThrows(IndexOutOfBoundsException.class, () -> v.putU16(15, (short) 0));
        assertThrows(IndexOutOfBoundsException.class, () -> v.getU16(-1));
    }

    @Test
    void opensOnlyOnOneAllocatedChunk() {
        assertFalse(v.open(b, 0, 16), "not allocated: reads go through the block (zeros)");
        assertFalse(v.valid());
        assertEquals(0, b.allocatedChunks(), "opening a view allocates nothing");
        b.putU8(RamBlock.CHUNK_SIZE - 8, (byte) 1);
        b.putU8(RamBlock.CHUNK_SIZE, (byte) 1);
        assertFalse(v.open(b, RamBlock.CHUNK_SIZE - 8, 16), "spans two chunks");
        assertThrows(MemoryAccessException.class, () -> v.open(b, 4L * RamBlock.CHUNK_SIZE - 8, 16));
    }

    @Test
    void droppingTheChunkInvalidatesTheView() {
        b.putU64(0x40, 7);
        assertTrue(v.open(b, 0x40, 8));
        b.zero(0x1000, 8); // a partial zero keeps the chunk: the view stays valid and sees it
        assertTrue(v.valid());
        b.zero(RamBlock.CHUNK_SIZE, RamBlock.CHUNK_SIZE); // another, unallocated chunk: nothing dropped
        assertTrue(v.valid());
        b.zero(0, RamBlock.CHUNK_SIZE);
        assertFalse(v.valid(), "the chunk was given back; its array is no longer the block's memory");
        b.putU64(0x40, 9); // allocates a fresh chunk
        assertTrue(v.open(b, 0x40, 8));
        assertEquals(9, v.getU64(0));
    }
}
