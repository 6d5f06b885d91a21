package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.queue.ChainError;

/**
 * Descriptor fields at the edges of their widths — addr u64 (0, 2^31−1, 2^31, 2^32−1, 2^63, 2^64−1),
 * len u32 (0, 2^31−1, 2^31, 2^32−1), flags and next u16 (0, 0x7fff, 0x8000, 0xffff), indirect table
 * lengths — each with its defined outcome: sent/delivered, or the chain dropped, counted by reason
 * and given back with used length 0. The queue never needs a reset for a bad chain, and every Netty
 * buffer comes back (the fixture checks on close).
 */
class DescriptorFieldBoundaryTest {
    static final byte[] FRAME = NicFixture.frame(60, 5);
    static final long INDIRECT = VirtioFeatures.bit(VirtioFeatures.RING_F_INDIRECT_DESC);

    /** Publishes TX head {@code head}; answers what happened: null when sent, else the drop reason. */
    private static ChainError tx(NicFixture f, NicFixture.Ring tx, int head) {
        tx.publish(head);
        assertEquals(1, tx.usedIdx(), "the chain is given back");
        assertEquals(head, tx.usedId(0));
        assertEquals(0, tx.usedLen(0), "TX used length is 0 (the device wrote nothing)");
        assertFalse((f.nic.status() & VirtioStatus.NEEDS_RESET) != 0, "a bad chain does not stop the queue");
        if (f.received.size() == 1) {
            assertEquals(0, f.nic.counters().chainDrops());
            return null;
        }
        assertEquals(0, f.received.size());
        assertEquals(1, f.nic.counters().chainDrops(), f.nic.counters().snapshot().toString());
        for (ChainError e : ChainError.values()) {
            if (f.nic.counters().chainDrops(e) == 1) {
                return e;
            }
        }
        throw new AssertionError("unreachable");
    }

    static Stream<Arguments> txAddr() {
        return Stream.of(
                Arguments.of(0L, null),
                Arguments.of(0x7fff_ffffL, ChainError.DMA_FAULT),
                Arguments.of(0x8000_0000L, ChainError.DMA_FAULT),
                Arguments.of(0xffff_ffffL, ChainError.DMA_FAULT),
                Arguments.of(Long.MIN_VALUE, ChainError.DMA_FAULT), // 2^63
                Arguments.of(-1L, ChainError.LENGTH_OVERFLOW), // 2^64 − 1: addr + len − 1 wraps
                Arguments.of(-72L, ChainError.DMA_FAULT), // ends exactly at 2^64 − 1: no wrap, no memory
                Arguments.of(-71L, ChainError.LENGTH_OVERFLOW));
    }

    @ParameterizedTest
    @MethodSource("txAddr")
    void txDescriptorAddress(long addr, ChainError outcome) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.putTxBuffer(0, FRAME);
            assertEquals(outcome, tx(f, tx, tx.single(addr, 72, false)));
            if (outcome == null) {
                assertArrayEquals(FRAME, f.received.get(0));
            }
        }
    }

    static Stream<Arguments> rxAddr() {
        return Stream.of(
                Arguments.of(0L, null),
                Arguments.of(0x7fff_ffffL, ChainError.DMA_FAULT),
                Arguments.of(0x8000_0000L, ChainError.DMA_FAULT),
                Arguments.of(0xffff_ffffL, ChainError.DMA_FAULT),
                Arguments.of(Long.MIN_VALUE, ChainError.DMA_FAULT),
                Arguments.of(-1L, ChainError.LENGTH_OVERFLOW));
    }

    @ParameterizedTest
    @MethodSource("rxAddr")
    void rxDescriptorAddress(long addr, ChainError outcome) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.publish(rx.single(addr, 2048, true));
            f.sendFromWire(FRAME);
            assertEquals(1, rx.usedIdx());
            if (outcome == null) {
                assertEquals(72, rx.usedLen(0));
                byte[] got = new byte[60];
                f.ram.read(addr + 12, got, 0, 60);
                assertArrayEquals(FRAME, got);
            } else {
                assertEquals(0, rx.usedLen(0), "nothing written, used length 0");
                assertEquals(1, f.nic.counters().chainDrops(outcome));
            }
        }
    }

    static Stream<Arguments> txLen() {
        return Stream.of(
                Arguments.of(0L, ChainError.EMPTY),
                Arguments.of(72L, null),
                Arguments.of(0x7fff_ffffL, ChainError.BAD_FRAME_LENGTH), // checked before any DMA
                Arguments.of(0x8000_0000L, ChainError.BAD_FRAME_LENGTH),
                Arguments.of(0xffff_ffffL, ChainError.BAD_FRAME_LENGTH));
    }

    @ParameterizedTest
    @MethodSource("txLen")
    void txDescriptorLength(long len, ChainError outcome) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.putTxBuffer(0x40000, FRAME);
            assertEquals(outcome, tx(f, tx, tx.single(0x40000, (int) len, false)));
        }
    }

    /** The used length is what the device wrote (header + frame), never the buffer's (u32) length. */
    @ParameterizedTest
    @MethodSource("org.toyvm.hw.net.DescriptorFieldBoundaryTest#u32")
    void rxDescriptorLengthAndUsedLength(long len) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.publish(rx.single(0x50000, (int) len, true));
            f.sendFromWire(FRAME);
            assertEquals(1, rx.usedIdx());
            if (len == 0) {
                assertEquals(1, f.nic.counters().chainDrops(ChainError.EMPTY));
                assertEquals(0, rx.usedLen(0));
            } else {
                assertEquals(72, rx.usedLen(0));
                assertEquals(0, f.ram.getU64(0x50000 + 72), "nothing past the frame");
            }
        }
    }

    static Stream<Long> u32() {
        return Stream.of(0L, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL);
    }

    /** Two buffers whose lengths add up to 2^32 − 1 are fine; to 2^32, LENGTH_OVERFLOW. */
    @ParameterizedTest
    @MethodSource("u32")
    void chainTotalLengthOver32Bits(long second) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.desc(0, 0x50000, (int) 0x8000_0000L, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1);
            rx.desc(1, 0x60000, (int) second, SplitRing.DESC_F_WRITE, 0);
            rx.publish(0);
            f.sendFromWire(FRAME);
            boolean over = 0x8000_0000L + second > 0xffff_ffffL;
            assertEquals(over ? 1 : 0, f.nic.counters().chainDrops(ChainError.LENGTH_OVERFLOW));
            assertEquals(over ? 0 : 72, rx.usedLen(0));
        }
    }

    static Stream<Arguments> flags() {
        return Stream.of(
                Arguments.of(0, 0L, null),
                Arguments.of(0x8000, 0L, null), // unknown bits are ignored
                Arguments.of(0x7ff8, 0L, null),
                Arguments.of(0x7fff, 0L, ChainError.INDIRECT_NOT_NEGOTIATED),
                Arguments.of(0xffff, 0L, ChainError.INDIRECT_NOT_NEGOTIATED),
                Arguments.of(0x7fff, INDIRECT, ChainError.INDIRECT_WITH_NEXT),
                Arguments.of(0xffff, INDIRECT, ChainError.INDIRECT_WITH_NEXT),
                Arguments.of(0xfffa, 0L, ChainError.WRONG_DIRECTION)); // WRITE on TX
    }

    @ParameterizedTest
    @MethodSource("flags")
    void txDescriptorFlags(int flags, long features, ChainError outcome) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(features, tx);
            f.putTxBuffer(0x40000, FRAME);
            tx.desc(0, 0x40000, 72, flags, 0);
            assertEquals(outcome, tx(f, tx, 0));
        }
    }

    static Stream<Arguments> next() {
        return Stream.of(
                Arguments.of(0, null),
                Arguments.of(15, null),
                Arguments.of(16, ChainError.NEXT_OUT_OF_RANGE),
                Arguments.of(0x7fff, ChainError.NEXT_OUT_OF_RANGE),
                Arguments.of(0x8000, ChainError.NEXT_OUT_OF_RANGE),
                Arguments.of(0xffff, ChainError.NEXT_OUT_OF_RANGE));
    }

    /** Head 1 carries the header and points at {@code next}, which (when in range) carries the frame. */
    @ParameterizedTest
    @MethodSource("next")
    void txDescriptorNext(int next, ChainError outcome) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.putTxBuffer(0x40000, FRAME);
            tx.desc(1, 0x40000, 12, SplitRing.DESC_F_NEXT, next);
            if (next < 16) {
                tx.desc(next, 0x4000c, 60, 0, 0);
            }
            assertEquals(outcome, tx(f, tx, 1));
        }
    }

    @Test
    void nextPointingAtItselfIsALoop() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            tx.desc(3, 0x40000, 12, SplitRing.DESC_F_NEXT, 3);
            assertEquals(ChainError.TOO_LONG, tx(f, tx, 3));
        }
    }

    static Stream<Arguments> indirectLen() {
        return Stream.of(
                Arguments.of(0L, ChainError.BAD_INDIRECT_LEN),
                Arguments.of(1L, ChainError.BAD_INDIRECT_LEN),
                Arguments.of(15L, ChainError.BAD_INDIRECT_LEN),
                Arguments.of(16L, null),
                Arguments.of(17L, ChainError.BAD_INDIRECT_LEN),
                Arguments.of(16L * 16, null), // as many entries as the queue: allowed
                Arguments.of(16L * 17, ChainError.BAD_INDIRECT_LEN),
                Arguments.of(0x7fff_ffffL, ChainError.BAD_INDIRECT_LEN),
                Arguments.of(0x8000_0000L, ChainError.BAD_INDIRECT_LEN), // a multiple of 16, far too many
                Arguments.of(0xffff_fff0L, ChainError.BAD_INDIRECT_LEN),
                Arguments.of(0xffff_ffffL, ChainError.BAD_INDIRECT_LEN));
    }

    @ParameterizedTest
    @MethodSource("indirectLen")
    void indirectTableLength(long len, ChainError outcome) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(INDIRECT, tx);
            f.putTxBuffer(0x40000, FRAME);
            DatapathTest.writeDesc(f, 0x60000, 0, 0x40000, 72, 0, 0);
            tx.desc(0, 0x60000, (int) len, SplitRing.DESC_F_INDIRECT, 0);
            assertEquals(outcome, tx(f, tx, 0));
        }
    }

    static Stream<Arguments> indirectAddr() {
        return Stream.of(
                Arguments.of(0x60000L, 32L, null),
                Arguments.of(Long.MIN_VALUE, 32L, ChainError.DMA_FAULT),
                Arguments.of(-16L, 16L, ChainError.DMA_FAULT), // the last 16 bytes of the space: no wrap
                Arguments.of(-16L, 32L, ChainError.LENGTH_OVERFLOW), // the 2nd entry would be at IOVA 0
                Arguments.of(-1L, 16L, ChainError.LENGTH_OVERFLOW));
    }

    /** An indirect table that runs past 2^64 would read its later entries from low memory: refused. */
    @ParameterizedTest
    @MethodSource("indirectAddr")
    void indirectTableAddress(long addr, long len, ChainError outcome) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(INDIRECT, tx);
            f.putTxBuffer(0x40000, FRAME);
            DatapathTest.writeDesc(f, 0x60000, 0, 0x40000, 12, SplitRing.DESC_F_NEXT, 1);
            DatapathTest.writeDesc(f, 0x60000, 1, 0x4000c, 60, 0, 0);
            // What a wrapped table would find at IOVA 0: a valid entry, which must not be used.
            DatapathTest.writeDesc(f, 0, 0, 0x40000, 72, 0, 0);
            tx.desc(0, addr, (int) len, SplitRing.DESC_F_INDIRECT, 0);
            assertEquals(outcome, tx(f, tx, 0));
        }
    }

    @Test
    void theFixtureNoticesAnUnreleasedBuffer() {
        NicFixture f = new NicFixture();
        io.netty.buffer.ByteBuf held = f.alloc.buffer(16);
        assertThrows(AssertionError.class, f::close);
        held.release();
        f.close();
    }
}
