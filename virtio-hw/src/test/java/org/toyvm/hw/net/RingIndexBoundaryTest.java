package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;

/**
 * Ring state the guest (or the vhost user) controls, at the edges of its width: the 16-bit avail idx,
 * heads, used_event and vring base (0, 0x7fff, 0x8000, 0xffff, and the wrap), the queue size as a
 * 32-bit value (0, 2^31−1, 2^31, 2^32−1) and 64-bit ring addresses (2^63, near 2^64−1).
 */
class RingIndexBoundaryTest {
    private static boolean needsReset(NicFixture f) {
        return (f.nic.status() & VirtioStatus.NEEDS_RESET) != 0;
    }

    /** avail idx written with nothing consumed yet: 0 is "nothing pending"; the rest jump > size ahead. */
    @ParameterizedTest
    @ValueSource(ints = {0, 16, 17, 0x7fff, 0x8000, 0xffff})
    void availIdx(int idx) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            for (int i = 0; i < 16; i++) {
                f.putTxBuffer(0x40000 + 0x100L * i, NicFixture.frame(60, i));
                tx.desc(i, 0x40000 + 0x100L * i, 72, 0, 0);
                f.ram.putU16(tx.avail + SplitRing.availRing(i), (short) i);
            }
            f.ram.putU16(tx.avail + SplitRing.AVAIL_IDX, (short) idx);
            f.nic.kick(VirtioNetNic.TX);
            f.sched.runUntilIdle();
            boolean ok = idx <= 16;
            assertEquals(!ok, needsReset(f), "idx " + idx);
            assertEquals(ok ? idx : 0, f.received.size());
            assertEquals(ok ? idx : 0, tx.usedIdx());
            if (!ok) {
                assertTrue(f.nic.needsResetReason().contains("avail idx " + idx), f.nic.needsResetReason());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 16, 0x7fff, 0x8000, 0xffff})
    void headFromTheAvailRing(int head) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            if (head < 16) {
                tx.desc(head, 0x40000, 72, 0, 0);
            }
            tx.publish(head);
            assertEquals(head >= 16, needsReset(f));
            assertEquals(head < 16 ? 1 : 0, f.received.size());
        }
    }

    /** A driver resuming at any 16-bit base runs across the wrap 0xffff -> 0 without losing a frame. */
    @ParameterizedTest
    @ValueSource(ints = {0, 0x7fff, 0x8000, 0xfff0, 0xffff})
    void indexesWrapAt16Bits(int base) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            tx.ring.forceAvailIdx(base);
            f.ram.putU16(tx.used + SplitRing.USED_IDX, (short) base);
            f.nic.setVqBase(VirtioNetNic.TX, base);
            f.start(0, tx);
            for (int i = 0; i < 20; i++) {
                f.putTxBuffer(0x40000, NicFixture.frame(60, i));
                tx.publish(tx.single(0x40000, 72, false));
                assertArrayEquals(NicFixture.frame(60, i), f.received.get(i));
            }
            int end = (base + 20) & 0xffff;
            assertEquals(end, tx.usedIdx());
            assertEquals(end, f.nic.vqBase(VirtioNetNic.TX));
            assertFalse(needsReset(f));
        }
    }

    /** SET_VRING_BASE values beyond 16 bits keep only the low 16 (the kernel refuses them first). */
    @ParameterizedTest
    @ValueSource(ints = {0, 0x7fff, 0x8000, 0xffff, 0x10000, Integer.MAX_VALUE, Integer.MIN_VALUE, -1})
    void vringBaseIsSixteenBits(int base) {
        try (NicFixture f = new NicFixture()) {
            f.nic.setVqBase(VirtioNetNic.TX, base);
            assertEquals(base & 0xffff, f.nic.vqBase(VirtioNetNic.TX));
        }
    }

    static Stream<Arguments> usedEvent() {
        // After one used entry (0 -> 1) the guest is interrupted only if used_event was 0.
        return Stream.of(Arguments.of(0, 0, true), Arguments.of(0, 0x7fff, false), Arguments.of(0, 0x8000, false),
                Arguments.of(0, 0xffff, false),
                // Across the wrap: used idx 0xffff -> 0; used_event 0xffff is crossed, 0 is not.
                Arguments.of(0xffff, 0xffff, true), Arguments.of(0xffff, 0, false),
                Arguments.of(0xffff, 0x8000, false), Arguments.of(0x8000, 0x8000, true));
    }

    @ParameterizedTest
    @MethodSource("usedEvent")
    void usedEventIsSixteenBits(int base, int event, boolean interrupt) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            tx.ring.forceAvailIdx(base);
            f.nic.setVqBase(VirtioNetNic.TX, base);
            f.ram.putU16(tx.avail + SplitRing.usedEvent(tx.num), (short) event);
            f.start(VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX), tx);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.publish(tx.single(0x40000, 72, false));
            assertEquals(1, f.received.size());
            assertEquals(interrupt ? 1 : 0, f.calls.size());
        }
    }

    /** A queue size that is not a power of two in 1..256, as any 32-bit value: NEEDS_RESET at DRIVER_OK. */
    @ParameterizedTest
    @ValueSource(ints = {0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 3, 512, 0x10000})
    void queueSizeAsA32BitValue(int num) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            f.nic.setVqNum(VirtioNetNic.TX, num);
            f.start(0);
            assertTrue(needsReset(f));
            assertTrue(f.nic.needsResetReason().contains("size " + Integer.toUnsignedString(num)),
                    f.nic.needsResetReason());
        }
    }

    static Stream<Arguments> ringAddress() {
        return Stream.of(
                // which ring (0 desc, 1 avail, 2 used), address, NEEDS_RESET expected
                Arguments.of(0, 0x7fff_ffffL, true), // misaligned
                Arguments.of(0, 0x8000_0000L, false), // aligned, outside memory: DMA faults
                Arguments.of(0, 0xffff_ffffL, true),
                Arguments.of(0, Long.MIN_VALUE, false), // 2^63
                Arguments.of(0, -16L, true), // table of 16 x 16 bytes runs past 2^64
                Arguments.of(0, -256L, false), // ends exactly at 2^64 - 1
                Arguments.of(1, -2L, true), // avail idx would be read at IOVA 0
                Arguments.of(1, -38L, false), // 6 + 2 x 16 bytes: ends at 2^64 - 1
                Arguments.of(1, -36L, true),
                Arguments.of(2, -4L, true), // used idx would be written at IOVA 0
                Arguments.of(2, -136L, false),
                Arguments.of(2, -132L, true),
                Arguments.of(2, Long.MIN_VALUE, false));
    }

    /** Ring addresses are u64: a ring that would wrap past 2^64 to low memory is refused. */
    @ParameterizedTest
    @MethodSource("ringAddress")
    void ringAddresses(int which, long addr, boolean reset) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            long desc = which == 0 ? addr : tx.desc;
            long avail = which == 1 ? addr : tx.avail;
            long used = which == 2 ? addr : tx.used;
            f.nic.setVqNum(VirtioNetNic.TX, tx.num);
            f.nic.setVqAddress(VirtioNetNic.TX, Iova.of(desc), Iova.of(avail), Iova.of(used));
            f.nic.setVqReady(VirtioNetNic.TX, true);
            // Low memory looks like a ring with a frame pending, for a wrapped access to find.
            f.ram.putU16(SplitRing.AVAIL_IDX, (short) 1);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.desc(0, 0x40000, 72, 0, 0);
            f.ram.putU16(tx.avail + SplitRing.AVAIL_IDX, (short) 1);
            f.start(0);
            assertEquals(reset, needsReset(f), f.nic.needsResetReason());
            if (reset) {
                assertEquals(0, f.received.size());
                assertEquals(0, f.ram.getU16(2 + 2) & 0xffff, "nothing written at low memory");
            } else {
                assertTrue(f.nic.dmaFaults() > 0, "a ring outside memory faults");
            }
        }
    }
}
