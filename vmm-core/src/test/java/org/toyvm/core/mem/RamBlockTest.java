package org.toyvm.core.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;

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
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 0x9e3779b1 >>> 24); // every byte value, no run of equal bytes
        }
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

    /** One step against a 64-page block: pin or unpin from a byte inside {@code firstPage} to the end of a later page. */
    record PinOp(boolean pin, int firstPage, int pages, int offsetInPage) {
        long offset() {
            return firstPage * 4096L + offsetInPage;
        }

        long length() {
            return (long) pages * 4096 - offsetInPage;
        }

        int lastPage() {
            return firstPage + pages - 1;
        }
    }

    /** 0 to 40 operations, each length equally likely. */
    static Gen<List<PinOp>> pinOps() {
        Gen<PinOp> op = Generate.booleans().zip(
                Generate.range(0, 63),
                Generate.range(1, 64),
                Generate.range(0, 4095),
                (pin, first, pages, off) -> new PinOp(pin, first, Math.min(pages, 64 - first), off));
        return SourceDSL.lists().of(op).ofSizeBetween(0, 40);
    }

    @Test
    @Tag(Props.TAG)
    void pinLedgerMatchesAPerPageOracle(TestInfo info) {
        Props.qt(info, 400).forAll(pinOps()).checkAssert(RamBlockTest::pinLedger);
    }

    private static void pinLedger(List<PinOp> ops) {
        RamBlock b = new HostAddressSpace().map("r", 64 * 4096);
        int[] oracle = new int[64];
        for (PinOp op : ops) {
            if (op.pin()) {
                b.pins().pin(op.offset(), op.length());
                for (int p = op.firstPage(); p <= op.lastPage(); p++) {
                    oracle[p]++;
                }
            } else {
                boolean allPinned = true;
                for (int p = op.firstPage(); p <= op.lastPage(); p++) {
                    allPinned &= oracle[p] > 0;
                }
                if (allPinned) {
                    b.pins().unpin(op.offset(), op.length());
                    for (int p = op.firstPage(); p <= op.lastPage(); p++) {
                        oracle[p]--;
                    }
                } else {
                    String before = b.pins().toString();
                    assertThrows(IllegalStateException.class, () -> b.pins().unpin(op.offset(), op.length()), op.toString());
                    assertEquals(before, b.pins().toString(), "a refused unpin changes nothing: " + op);
                }
            }
            long total = 0;
            for (int p = 0; p < 64; p++) {
                int page = p;
                assertEquals(oracle[p], b.pins().countAt(p * 4096L), () -> "page " + page + " after " + op);
                total += oracle[p];
            }
            assertEquals(total, b.pins().pinnedPages());
        }
    }
}
