package org.toyvm.core.mem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;

/**
 * A RAM block copied into another of the same size (a live migration's RAM transfer): afterwards the
 * two read the same everywhere, only touched chunks were copied, and no chunk view on the destination
 * reads memory that is no longer its block's.
 */
class RamBlockCopyTest {
    static final int C = RamBlock.CHUNK_SIZE;

    @Test
    void aTebibyteBlockCopiesOnlyItsTouchedChunksAndTheDestinationsOwnAreDropped() {
        long tib = 1L << 40;
        RamBlock src = new HostAddressSpace().map("pc.ram", tib);
        RamBlock dst = new HostAddressSpace().map("pc.ram", tib);
        src.putU64(0x1000, 0x1122334455667788L);
        src.putU64(tib - 8, -1L);
        src.putU16(7L * C - 1, (short) 0xbeef); // straddles chunks 6 and 7
        dst.putU64(0x1008, 42); // same chunk as the source's first write: overwritten
        dst.putU64(tib / 2, 99); // only the destination touched this chunk: dropped
        long drops = dst.chunkDrops();

        long copied = src.copyTo(dst);

        assertEquals(4L * C, copied, "four touched chunks, not a tebibyte");
        assertEquals(src.residentBytes(), copied);
        assertEquals(4, dst.allocatedChunks());
        assertEquals(0x1122334455667788L, dst.getU64(0x1000));
        assertEquals(0, dst.getU64(0x1008), "the destination's own write is gone: the source read zero there");
        assertEquals(0, dst.getU64(tib / 2));
        assertEquals(-1L, dst.getU64(tib - 8));
        assertEquals((short) 0xbeef, dst.getU16(7L * C - 1));
        assertEquals(drops + 1, dst.chunkDrops());
        assertEquals(4, src.allocatedChunks(), "the source is untouched");
    }

    @Test
    void theCopyIsIndependentOfTheSource() {
        RamBlock src = new HostAddressSpace().map("r", 4L * C);
        RamBlock dst = new HostAddressSpace().map("r", 4L * C);
        src.putU32(16, 1);
        src.copyTo(dst);
        src.putU32(16, 2);
        dst.putU32(20, 3);
        assertEquals(1, dst.getU32(16));
        assertEquals(0, src.getU32(20));
    }

    @Test
    void aViewOnAChunkBothHoldStaysValidAndReadsTheCopiedBytes() {
        RamBlock src = new HostAddressSpace().map("r", 4L * C);
        RamBlock dst = new HostAddressSpace().map("r", 4L * C);
        src.putU64(0x40, 7);
        src.putU64(2L * C, 1); // only the source: allocated in the destination, nothing dropped
        dst.putU64(0x40, 5);
        ChunkView shared = new ChunkView();
        assertTrue(shared.open(dst, 0x40, 8));

        src.copyTo(dst);

        assertTrue(shared.valid(), "overwritten in place: the array is still the block's memory");
        assertEquals(7, shared.getU64(0), "and it reads the copied bytes");
        shared.putU64(0, 9);
        assertEquals(9, dst.getU64(0x40));
    }

    @Test
    void aViewOnADroppedChunkDoesNotSurviveTheCopy() {
        RamBlock src = new HostAddressSpace().map("r", 4L * C);
        RamBlock dst = new HostAddressSpace().map("r", 4L * C);
        src.putU64(0x40, 7);
        dst.putU64(C + 0x40, 6); // a chunk the source does not have
        ChunkView onlyDst = new ChunkView();
        assertTrue(onlyDst.open(dst, C + 0x40, 8));
        assertEquals(6, dst.getU64(C + 0x40)); // the chunk is in the block's cache of recent chunks too

        src.copyTo(dst);

        assertFalse(onlyDst.valid(), "the chunk was dropped: the view must not survive");
        assertEquals(0, dst.getU64(C + 0x40), "not served from the block's cache of recent chunks");
        dst.putU64(C + 0x48, 8); // allocates a fresh chunk
        assertTrue(onlyDst.open(dst, C + 0x48, 8));
        assertEquals(8, onlyDst.getU64(0));
    }

    @Test
    void onlyABlockOfTheSameSizeAndNotItselfTakesACopy() {
        HostAddressSpace mm = new HostAddressSpace();
        RamBlock a = mm.map("a", 2L * C);
        RamBlock b = mm.map("b", 2L * C + 4096);
        a.putU8(0, (byte) 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.copyTo(b));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("'b'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.copyTo(a));
        assertThrows(NullPointerException.class, () -> a.copyTo(null));
        assertEquals(0, b.allocatedChunks(), "a refused copy writes nothing");
    }

    @Test
    void anUntouchedSourceCopiesNothingAndEmptiesTheDestination() {
        RamBlock src = new HostAddressSpace().map("r", 8L * C);
        RamBlock dst = new HostAddressSpace().map("r", 8L * C);
        dst.putU8(3L * C, (byte) 1);
        dst.putU8(5L * C, (byte) 1);
        assertEquals(0, src.copyTo(dst));
        assertEquals(0, dst.allocatedChunks());
        assertEquals(0, dst.getU8(3L * C));
    }

    /** One write of {@code len} bytes of {@code value} at {@code offset}, or (zero) a zeroing of the range. */
    record Write(boolean toDst, boolean zero, long offset, int len, byte value) {
    }

    static final long PROP_SIZE = 8L * C;

    /** Writes to either block, some zeroing (which drops whole chunks), many across a chunk boundary. */
    static Gen<List<Write>> writes() {
        Gen<Long> offset = Generate.pick(List.of(0L, (long) C - 3, 2L * C, 5L * C - 100, 7L * C - 8))
                .zip(Generate.range(0, C), (a, b) -> (a + b) % PROP_SIZE);
        Gen<Write> w = Generate.booleans().zip(Generate.range(0, 4), offset, Generate.range(1, 2 * C),
                Generate.range(-128, 127), (toDst, kind, off, len, v) -> new Write(toDst, kind == 0, off,
                        (int) Math.min(len, PROP_SIZE - off), (byte) (int) v));
        return SourceDSL.lists().of(w).ofSizeBetween(0, 24);
    }

    @Test
    @Tag(Props.TAG)
    void randomWritesThenCopyReadEqual(TestInfo info) {
        Props.qt(info, 200).forAll(writes()).checkAssert(RamBlockCopyTest::writesThenCopy);
    }

    private static void writesThenCopy(List<Write> ws) {
        RamBlock src = new HostAddressSpace().map("src", PROP_SIZE);
        RamBlock dst = new HostAddressSpace().map("dst", PROP_SIZE);
        for (Write w : ws) {
            RamBlock b = w.toDst() ? dst : src;
            if (w.zero()) {
                b.zero(w.offset(), w.len());
            } else {
                byte[] data = new byte[w.len()];
                java.util.Arrays.fill(data, w.value());
                b.write(w.offset(), data, 0, data.length);
            }
        }
        byte[] expected = new byte[(int) PROP_SIZE];
        src.read(0, expected, 0, expected.length);
        long resident = src.residentBytes();

        assertEquals(resident, src.copyTo(dst), "the bytes copied are the source's touched size");

        byte[] got = new byte[(int) PROP_SIZE];
        dst.read(0, got, 0, got.length);
        assertArrayEquals(expected, got);
        assertEquals(src.allocatedChunks(), dst.allocatedChunks(), "the destination is as sparse as the source");
        byte[] again = new byte[(int) PROP_SIZE];
        src.read(0, again, 0, again.length);
        assertArrayEquals(expected, again, "the source is unchanged");
    }
}
