package org.toyvm.core.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class RamBlockTest {
    @Test
    void oneTebibyteBlockWrittenAtItsLastByteStaysSmall() {
        HostAddressSpace mm = new HostAddressSpace();
        long tib = 1L << 40;
        RamBlock b = mm.map("pc.ram", tib);
        b.putU8(tib - 1, (byte) 0x5a);
        assertEquals(0x5a, b.getU8(tib - 1));
        assertEquals(0, b.getU64(tib / 2), "untouched memory reads as zero");
        assertEquals(1, b.allocatedChunks());
        assertTrue(b.residentBytes() <= RamBlock.CHUNK_SIZE);
        assertThrows(MemoryAccessException.class, () -> b.getU8(tib));
        assertThrows(MemoryAccessException.class, () -> b.getU16(tib - 1));
        assertThrows(MemoryAccessException.class, () -> b.putU64(-1, 0));
    }

    @Test
    void multiByteValuesAcrossChunksAreLittleEndian() {
        RamBlock b = new HostAddressSpace().map("r", 4L * RamBlock.CHUNK_SIZE);
        long at = RamBlock.CHUNK_SIZE - 3;
        b.putU64(at, 0x0807060504030201L);
        assertEquals(0x0807060504030201L, b.getU64(at));
        assertEquals(0x01, b.getU8(at));
        assertEquals((short) 0x0504, b.getU16(at + 3));
        b.putU16Release(10, (short) 0xbeef);
        assertEquals((short) 0xbeef, b.getU16Acquire(10));
    }

    @Test
    void byteBufCopiesAndZeroing() {
        RamBlock b = new HostAddressSpace().map("r", 3L * RamBlock.CHUNK_SIZE);
        byte[] data = new byte[RamBlock.CHUNK_SIZE + 100];
        new Random(1).nextBytes(data);
        ByteBuf src = Unpooled.wrappedBuffer(data);
        ByteBuf dst = Unpooled.buffer();
        try {
            b.writeFrom(RamBlock.CHUNK_SIZE - 50, src, data.length);
            b.readTo(RamBlock.CHUNK_SIZE - 50, dst, data.length);
            assertEquals(Unpooled.wrappedBuffer(data), dst);
        } finally {
            src.release();
            dst.release();
        }
        b.zero(0, 3L * RamBlock.CHUNK_SIZE);
        assertEquals(0, b.allocatedChunks(), "zeroing whole chunks gives the memory back");
    }

    @Test
    void hostAddressSpaceResolvesBlocksAndHoles() {
        HostAddressSpace mm = new HostAddressSpace();
        RamBlock a = mm.map("a", 0x3000);
        RamBlock c = mm.map("c", 0x1000);
        assertSame(a, mm.blockAt(a.base().value() + 0x2fff));
        assertNull(mm.blockAt(a.base().value() + 0x3000), "the guard gap after a block is a hole");
        assertNull(mm.blockContaining(a.base().value() + 0x2000, 0x2000), "straddles the end");
        assertSame(c, mm.blockContaining(c.base().value(), 0x1000));
        assertNull(mm.blockAt(0));
        mm.setMemlockLimitBytes(0x2000);
        assertTrue(mm.mayPin(2));
        mm.accountPinned(2);
        assertTrue(!mm.mayPin(1));
        mm.accountUnpinned(2);
        assertThrows(IllegalStateException.class, () -> mm.accountUnpinned(1));
    }

    @Property(tries = 200)
    void pinLedgerMatchesAPerPageOracle(@ForAll long seed) {
        Random rnd = new Random(seed);
        RamBlock b = new HostAddressSpace().map("r", 64 * 4096);
        int[] oracle = new int[64];
        for (int step = 0; step < 40; step++) {
            int first = rnd.nextInt(64);
            int pages = 1 + rnd.nextInt(64 - first);
            long off = first * 4096L + rnd.nextInt(4096);
            long len = Math.min((long) pages * 4096 - (off - first * 4096L), 64 * 4096L - off);
            int lastPage = (int) ((off + len - 1) / 4096);
            if (rnd.nextBoolean()) {
                b.pins().pin(off, len);
                for (int p = first; p <= lastPage; p++) {
                    oracle[p]++;
                }
            } else {
                boolean allPinned = true;
                for (int p = first; p <= lastPage; p++) {
                    allPinned &= oracle[p] > 0;
                }
                if (allPinned) {
                    b.pins().unpin(off, len);
                    for (int p = first; p <= lastPage; p++) {
                        oracle[p]--;
                    }
                } else {
                    String before = b.pins().toString();
                    assertThrows(IllegalStateException.class, () -> b.pins().unpin(off, len));
                    assertEquals(before, b.pins().toString(), "a refused unpin changes nothing");
                }
            }
            long total = 0;
            for (int p = 0; p < 64; p++) {
                assertEquals(oracle[p], b.pins().countAt(p * 4096L), "page " + p);
                total += oracle[p];
            }
            assertEquals(total, b.pins().pinnedPages());
        }
    }
}
