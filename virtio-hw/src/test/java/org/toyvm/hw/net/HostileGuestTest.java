package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.queue.ChainError;

/** docs/bad-input.md §1–17: each case ends in its defined outcome; nothing escapes, hangs or touches memory outside a mapping. */
class HostileGuestTest {
    private static boolean needsReset(NicFixture f) {
        return (f.nic.status() & VirtioStatus.NEEDS_RESET) != 0;
    }

    /** Drops a TX chain for {@code reason}: returned used with len 0, counted, nothing sent. */
    private static void droppedTx(NicFixture f, NicFixture.Ring tx, int head, ChainError reason) {
        tx.publish(head);
        assertEquals(0, f.received.size(), "nothing reaches the wire");
        assertEquals(1, f.nic.counters().chainDrops(reason), reason + " counted: " + f.nic.counters().snapshot());
        assertEquals(1, tx.usedIdx(), "the chain is given back");
        assertTrue(!needsReset(f));
    }

    private NicFixture txOnly(long features) {
        NicFixture f = new NicFixture();
        f.start(features, f.tx());
        return f;
    }

    @Test
    void s1LoopAndOverLongChain() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            tx.desc(0, 0x40000, 4, SplitRing.DESC_F_NEXT, 1);
            tx.desc(1, 0x40000, 4, SplitRing.DESC_F_NEXT, 0); // 0 -> 1 -> 0 ...
            droppedTx(f, tx, 0, ChainError.TOO_LONG);
        }
    }

    @Test
    void s2NextOutOfRangeAndHeadOutOfRange() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            tx.desc(0, 0x40000, 100, SplitRing.DESC_F_NEXT, 16);
            droppedTx(f, tx, 0, ChainError.NEXT_OUT_OF_RANGE);
            tx.publish(99);
            assertTrue(needsReset(f), "a head index >= queue size: NEEDS_RESET");
            assertTrue(f.nic.needsResetReason().contains("head 99"));
        }
    }

    @Test
    void s3AvailIdxJumpsAheadOrMovesBack() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.ram.putU16(tx.avail + SplitRing.AVAIL_IDX, (short) 17);
            f.nic.kick(VirtioNetNic.TX);
            f.sched.runUntilIdle();
            assertTrue(needsReset(f));
            assertEquals(0, tx.usedIdx(), "nothing processed");
            f.nic.reset();
            f.start(0, tx);
            f.ram.putU16(tx.avail + SplitRing.AVAIL_IDX, (short) 0xffff); // backwards from 0
            f.nic.kick(VirtioNetNic.TX);
            f.sched.runUntilIdle();
            assertTrue(needsReset(f));
        }
    }

    @Test
    void s4IndirectNestedBadLengthAndWithNext() {
        long indirect = VirtioFeatures.bit(VirtioFeatures.RING_F_INDIRECT_DESC);
        try (NicFixture f = txOnly(indirect)) {
            NicFixture.Ring tx = f.tx();
            DatapathTest.writeDesc(f, 0x60000, 0, 0x61000, 16, SplitRing.DESC_F_INDIRECT, 0);
            tx.desc(0, 0x60000, 16, SplitRing.DESC_F_INDIRECT, 0);
            tx.setUp();
            droppedTx(f, tx, 0, ChainError.NESTED_INDIRECT);
        }
        try (NicFixture f = txOnly(indirect)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            tx.desc(0, 0x60000, 20, SplitRing.DESC_F_INDIRECT, 0);
            droppedTx(f, tx, 0, ChainError.BAD_INDIRECT_LEN);
        }
        try (NicFixture f = txOnly(indirect)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            tx.desc(0, 0x60000, 16 * 17, SplitRing.DESC_F_INDIRECT, 0);
            droppedTx(f, tx, 0, ChainError.BAD_INDIRECT_LEN);
        }
        try (NicFixture f = txOnly(indirect)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            tx.desc(0, 0x60000, 32, SplitRing.DESC_F_INDIRECT | SplitRing.DESC_F_NEXT, 1);
            droppedTx(f, tx, 0, ChainError.INDIRECT_WITH_NEXT);
        }
    }

    @Test
    void s5IndirectWithoutTheFeature() {
        try (NicFixture f = txOnly(0)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            tx.desc(0, 0x60000, 32, SplitRing.DESC_F_INDIRECT, 0);
            droppedTx(f, tx, 0, ChainError.INDIRECT_NOT_NEGOTIATED);
        }
    }

    @Test
    void s6ReadableAfterWritable() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.desc(0, 0x50000, 1000, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1);
            rx.desc(1, 0x51000, 1000, 0, 0);
            rx.publish(0);
            f.sendFromWire(NicFixture.frame(60, 1));
            assertEquals(1, f.nic.counters().chainDrops(ChainError.READABLE_AFTER_WRITABLE));
            assertEquals(0, rx.usedLen(0));
        }
    }

    @Test
    void s7ZeroLengthDescriptorAndEmptyChain() {
        try (NicFixture f = txOnly(0)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            droppedTx(f, tx, tx.single(0x40000, 0, false), ChainError.EMPTY);
        }
    }

    @Test
    void s8BufferOutsideMemoryStraddlingOrInAHole() {
        try (NicFixture f = txOnly(0)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            droppedTx(f, tx, tx.single(NicFixture.RAM - 30, 100, false), ChainError.DMA_FAULT);
            assertTrue(f.nic.dmaFaults() > 0);
        }
        try (NicFixture f = new NicFixture()) {
            f.start(0);
            f.setUpQueue(VirtioNetNic.TX, 16, DriverRing.Layout.contiguous(Gpa.of(NicFixture.RAM + 0x1000), 16));
            f.sched.runUntilIdle();
            assertTrue(f.nic.dmaFaults() > 0, "rings outside memory fault");
            assertTrue(!needsReset(f));
        }
    }

    @Test
    void s9AddressAndLengthOverflow() {
        try (NicFixture f = txOnly(0)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            droppedTx(f, tx, tx.single(-16L, 100, false), ChainError.LENGTH_OVERFLOW);
        }
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.desc(0, 0x50000, -1, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1); // 4 GiB - 1
            rx.desc(1, 0x50000, 16, SplitRing.DESC_F_WRITE, 0);
            rx.publish(0);
            f.sendFromWire(NicFixture.frame(60, 1));
            assertEquals(1, f.nic.counters().chainDrops(ChainError.LENGTH_OVERFLOW), "total over 2^32");
        }
    }

    @Test
    void s10MisalignedRingsAndBadQueueSizes() {
        for (long[] bad : new long[][] {{0x20008, 16}, {0x20000, 3}, {0x20000, 512}, {0x20000, 0}}) {
            try (NicFixture f = new NicFixture()) {
                // Not a ring a driver could write: the layout alone, programmed into the device.
                f.setUpQueue(VirtioNetNic.TX, (int) bad[1], DriverRing.Layout.contiguous(Gpa.of(bad[0]), (int) bad[1]));
                f.start(0);
                assertTrue(needsReset(f), "desc " + Long.toHexString(bad[0]) + " size " + bad[1]);
            }
        }
    }

    @Test
    void s11WrongDirectionAndBadLengths() {
        try (NicFixture f = txOnly(0)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            droppedTx(f, tx, tx.single(0x40000, 100, true), ChainError.WRONG_DIRECTION);
        }
        try (NicFixture f = txOnly(0)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            droppedTx(f, tx, tx.single(0x40000, 12 + 10, false), ChainError.BAD_FRAME_LENGTH);
        }
        try (NicFixture f = txOnly(0)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            droppedTx(f, tx, tx.single(0x40000, 12 + 1515, false), ChainError.BAD_FRAME_LENGTH);
        }
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.publish(rx.single(0x50000, 1000, false));
            f.sendFromWire(NicFixture.frame(60, 1));
            assertEquals(1, f.nic.counters().chainDrops(ChainError.WRONG_DIRECTION));
            rx.publish(rx.single(0x50000, 40, true));
            f.sendFromWire(NicFixture.frame(60, 1));
            assertEquals(1, f.nic.counters().chainDrops(ChainError.RX_BUFFER_TOO_SHORT));
        }
    }

    @Test
    void s12UsedRingWriteOutsideMemory() {
        try (NicFixture f = new NicFixture()) {
            f.start(0);
            NicFixture.Ring tx = f.tx();
            f.nic.setVqNum(VirtioNetNic.TX, 16);
            f.nic.setVqAddress(VirtioNetNic.TX, Iova.of(tx.desc), Iova.of(tx.avail), Iova.of(NicFixture.RAM + 0x4000));
            f.nic.setVqReady(VirtioNetNic.TX, true);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.publish(tx.single(0x40000, 72, false));
            assertTrue(f.nic.dmaFaults() > 0);
        }
    }

    @Test
    void s13AfterResetOldDescriptorsAreNotReprocessed() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.publish(tx.single(0x40000, 72, false));
            assertEquals(1, f.received.size());
            f.nic.reset();
            // The driver re-initialises its ring at 0, as after a reboot.
            f.ram.zero(tx.desc, 0x2000);
            NicFixture.Ring fresh = f.tx();
            f.start(0, fresh);
            assertEquals(1, f.received.size(), "the old chain is not sent again");
        }
    }

    @Test
    void s14MissIsAFaultReportedToTheListener() {
        try (NicFixture f = txOnly(0)) {
            int[] misses = new int[1];
            f.nic.dma().setFaultListener((asid, iova, perm, permission) -> misses[0]++);
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.publish(tx.single(0x40000, 72, false)); // fills the translation cache
            assertEquals(1, f.received.size());
            f.map.removeOverlapping(0x40000, 0x40fff); // invalidated while in use: the cache must notice
            tx = f.tx();
            tx.ring.forceAvailIdx(1); // where the first view of the ring left the driver
            tx.nextDesc = 1;
            tx.publish(tx.single(0x40000, 100, false));
            assertEquals(1, f.nic.counters().chainDrops(ChainError.DMA_FAULT));
            assertEquals(1, f.received.size());
            assertTrue(misses[0] > 0);
        }
    }

    @Test
    void s15PermissionFailures() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            f.map.removeOverlapping(0x50000, 0x50fff);
            f.map.add(0x50000, 0x50fff, f.ram.base().value() + 0x50000, DmaEntry.PERM_RO); // like ROM
            f.ram.putU32(0x50000 + 20, 0x11223344);
            rx.publish(rx.single(0x50000, 2048, true));
            f.sendFromWire(NicFixture.frame(60, 1));
            assertEquals(1, f.nic.counters().chainDrops(ChainError.DMA_FAULT));
            assertEquals(0x11223344, f.ram.getU32(0x50000 + 20), "read-only memory untouched");
        }
        try (NicFixture f = txOnly(0)) {
            NicFixture.Ring tx = f.tx();
            tx.setUp();
            f.map.removeOverlapping(0x40000, 0x40fff);
            f.map.add(0x40000, 0x40fff, f.ram.base().value() + 0x40000, DmaEntry.PERM_WO);
            droppedTx(f, tx, tx.single(0x40000, 100, false), ChainError.DMA_FAULT);
        }
    }

    @Test
    void s16SpanningTwoMappingsWorksAMappingAndAHoleFailsWhole() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            // Split the 1:1 map at 0x50800 into two adjacent entries.
            f.map.removeOverlapping(0x50000, 0x50fff);
            f.map.add(0x50000, 0x507ff, f.ram.base().value() + 0x50000, DmaEntry.PERM_RW);
            f.map.add(0x50800, 0x50fff, f.ram.base().value() + 0x50800, DmaEntry.PERM_RW);
            rx.publish(rx.single(0x50700, 1024, true));
            byte[] frame = NicFixture.frame(600, 7);
            f.sendFromWire(frame);
            assertEquals(612, rx.usedLen(0));
            byte[] got = new byte[600];
            f.ram.read(0x50700 + 12, got, 0, 600);
            org.junit.jupiter.api.Assertions.assertArrayEquals(frame, got);
            // Now a hole after 0x50800: the same buffer fails whole, nothing is written.
            f.map.removeOverlapping(0x50800, 0x50fff);
            f.ram.zero(0x50000, 0x1000);
            rx.publish(rx.single(0x50700, 1024, true));
            f.sendFromWire(frame);
            assertEquals(1, f.nic.counters().chainDrops(ChainError.DMA_FAULT));
            assertEquals(0, f.ram.getU64(0x50700), "no partial write before the hole");
            assertEquals(0, f.ram.getU64(0x50710));
        }
    }

    @Test
    void s17RingsUnmappedAfterResetShowAsDmaFaults() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            NicFixture.Ring tx = f.tx();
            f.start(0, rx, tx);
            // The parent dropped its map and put a 1:1 map in its place (as mlx5/vdpa_sim after CLEAN_MAP).
            f.map.clear();
            f.map.add(0, -1L, 0, DmaEntry.PERM_RW);
            f.nic.setTranslations(asid -> new org.toyvm.hw.api.DmaTranslation() {
                @Override
                public DmaEntry find(Iova iova) {
                    return new DmaEntry(0, -1L, 0, DmaEntry.PERM_RW, true);
                }

                @Override
                public long generation() {
                    return 1;
                }
            });
            long before = f.nic.dmaFaults();
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.publish(tx.single(0x40000, 72, false));
            f.sendFromWire(NicFixture.frame(60, 2));
            assertTrue(f.nic.dmaFaults() >= before + 2, "each attempt faults");
            assertEquals(0, f.received.size());
            assertEquals(0, tx.usedIdx(), "used ring never moves");
        }
    }
}
