package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;

class DatapathTest {
    @Test
    void txFrameReachesTheWireAndTheHeadIsReturned() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            byte[] frame = NicFixture.frame(60, 1);
            f.putTxBuffer(0x40000, frame);
            int head = tx.single(0x40000, 72, false);
            tx.publish(head);
            assertEquals(1, f.received.size());
            assertArrayEquals(frame, f.received.get(0));
            assertEquals(1, tx.usedIdx());
            assertEquals(head, tx.usedId(0));
            assertEquals(1, f.calls.size(), "interrupt after used");
        }
    }

    @Test
    void rxFrameLandsInABufferWithAV1Header() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.publish(rx.single(0x50000, 2048, true));
            byte[] frame = NicFixture.frame(100, 2);
            f.sendFromWire(frame);
            assertEquals(1, rx.usedIdx());
            assertEquals(112, rx.usedLen(0));
            assertEquals(1, f.ram.getU16(0x50000 + 10), "num_buffers = 1");
            assertEquals(0, f.ram.getU64(0x50000));
            byte[] got = new byte[100];
            f.ram.read(0x50000 + 12, got, 0, 100);
            assertArrayEquals(frame, got);
        }
    }

    @Test
    void frameWithoutRxBufferWaitsThenArrivesWhenTheGuestPostsOne() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            f.sendFromWire(NicFixture.frame(60, 3));
            assertEquals(0, rx.usedIdx());
            rx.publish(rx.single(0x50000, 2048, true));
            assertEquals(1, rx.usedIdx());
        }
    }

    @Test
    void indirectChainsWorkWhenNegotiated() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(VirtioFeatures.bit(VirtioFeatures.RING_F_INDIRECT_DESC), tx);
            byte[] frame = NicFixture.frame(80, 4);
            f.putTxBuffer(0x40000, frame);
            // Indirect table at 0x60000: header in one entry, frame split over two.
            long t = 0x60000;
            writeDesc(f, t, 0, 0x40000, 12, SplitRing.DESC_F_NEXT, 1);
            writeDesc(f, t, 1, 0x4000c, 30, SplitRing.DESC_F_NEXT, 2);
            writeDesc(f, t, 2, 0x4000c + 30, 50, 0, 0);
            tx.desc(0, t, 48, SplitRing.DESC_F_INDIRECT, 0);
            tx.publish(0);
            assertArrayEquals(frame, f.received.get(0));
        }
    }

    static void writeDesc(NicFixture f, long table, int i, long addr, int len, int flags, int next) {
        long at = table + 16L * i;
        f.ram.putU64(at, addr);
        f.ram.putU32(at + 8, len);
        f.ram.putU16(at + 12, (short) flags);
        f.ram.putU16(at + 14, (short) next);
    }

    @Test
    void eventIdxSuppressesInterruptsUntilUsedEvent() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX), tx);
            f.ram.putU16(tx.avail + SplitRing.usedEvent(tx.num), (short) 2); // interrupt when used passes 2
            for (int i = 0; i < 3; i++) {
                f.putTxBuffer(0x40000 + i * 0x1000L, NicFixture.frame(60, i));
                tx.publish(tx.single(0x40000 + i * 0x1000L, 72, false));
            }
            assertEquals(3, tx.usedIdx());
            assertEquals(1, f.calls.size(), "only the crossing of used_event interrupts");
        }
    }

    @Test
    void setVringBaseIsHonouredAndResetRestartsAtZero() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            tx.ring.forceAvailIdx(5); // a driver resuming at index 5
            f.nic.setVqBase(VirtioNetNic.TX, 5);
            f.start(0, tx);
            assertEquals(5, f.nic.vqBase(VirtioNetNic.TX));
            f.putTxBuffer(0x40000, NicFixture.frame(60, 9));
            tx.publish(tx.single(0x40000, 72, false));
            assertEquals(1, f.received.size());
            assertEquals(6, f.nic.vqBase(VirtioNetNic.TX));
            f.nic.reset();
            assertEquals(0, f.nic.vqBase(VirtioNetNic.TX));
            assertTrue(!f.nic.vqReady(VirtioNetNic.TX));
        }
    }
}
