package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;

/**
 * Each guest queue moved to a copy of its RAM (a migration's destination) keeps its state — RX's
 * consumed used index, TX's free list and buffers in flight, the control queue's pending command —
 * and from then on reads and writes only the copy. A device played by hand, RAM at 4 GiB.
 */
class GuestQueuesMoveTest {
    static final Gpa RAM_AT = Gpa.of(1L << 32);
    static final int Q = GuestLayout.QUEUE_SIZE;
    static final int HDR = VirtioNet.HDR_V1_SIZE;
    final RamBlock src = new HostAddressSpace().map("guest", 8 << 20);
    final RamBlock dst = new HostAddressSpace().map("guest", 8 << 20);
    final GuestRam onSrc = GuestRam.at(src, RAM_AT);
    final GuestRam onDst = GuestRam.at(dst, RAM_AT);
    final GuestLayout layout = GuestLayout.at(RAM_AT);

    private static long off(Gpa gpa) {
        return gpa.value() - RAM_AT.value();
    }

    private static void deviceUses(RamBlock ram, Gpa ring, int idx, int id, int len) {
        long used = off(DriverRing.Layout.contiguous(ring, Q).used());
        ram.putU32(used + SplitRing.usedElem(idx & (Q - 1)) + SplitRing.USED_ELEM_ID, id);
        ram.putU32(used + SplitRing.usedElem(idx & (Q - 1)) + SplitRing.USED_ELEM_LEN, len);
        ram.putU16Release(used + SplitRing.USED_IDX, (short) (idx + 1));
    }

    private static int availIdx(RamBlock ram, Gpa ring) {
        return ram.getU16(off(DriverRing.Layout.contiguous(ring, Q).avail()) + SplitRing.AVAIL_IDX) & 0xffff;
    }

    @Test
    void rxGoesOnFromTheUsedIndexItHadConsumed() {
        RxQueue rx = new RxQueue(DriverRing.contiguous(onSrc, Q, layout.rxRing()),
                new GuestBuffers(onSrc, layout.rxBufs(), Q, layout.bufSize()), PooledByteBufAllocator.DEFAULT);
        rx.fill();
        byte[] frame = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        src.write(off(layout.rxBufs()) + 3L * layout.bufSize() + HDR, frame, 0, frame.length);
        deviceUses(src, layout.rxRing(), 0, 3, HDR + frame.length);
        List<Integer> got = new ArrayList<>();
        assertTrue(rx.receive(f -> got.add(f.readableBytes())));
        // A second frame the device used but the guest has not received yet: it migrates as RAM.
        src.write(off(layout.rxBufs()) + 4L * layout.bufSize() + HDR, frame, 0, 6);
        deviceUses(src, layout.rxRing(), 1, 4, HDR + 6);

        src.copyTo(dst);
        rx.moveTo(onDst);

        assertTrue(rx.receive(f -> got.add(f.readableBytes())));
        assertEquals(List.of(frame.length, 6), got, "frame 0 not received again, frame 1 read from the copy");
        assertEquals(Q + 2, availIdx(dst, layout.rxRing()), "both buffers reposted, in the copy");
        assertEquals(Q + 1, availIdx(src, layout.rxRing()), "the source is no longer written");
    }

    @Test
    void txKeepsItsFreeListAndTheBuffersInFlight() {
        TxQueue tx = new TxQueue(DriverRing.contiguous(onSrc, Q, layout.txRing()),
                new GuestBuffers(onSrc, layout.txBufs(), Q, layout.bufSize()));
        ByteBuf f = Unpooled.wrappedBuffer(new byte[] {9, 9, 9});
        try {
            for (int i = 0; i < 3; i++) {
                assertTrue(tx.send(f.duplicate()));
            }
            deviceUses(src, layout.txRing(), 0, 0, 0); // buffer 0 used before the move, not reclaimed yet
            src.copyTo(dst);
            tx.moveTo(onDst);
            assertEquals(Q - 3, tx.freeBuffers());
            deviceUses(dst, layout.txRing(), 1, 1, 0);
            tx.reclaim();
            assertEquals(Q - 1, tx.freeBuffers(), "buffers 0 and 1 back; 2 still the device's");
            assertTrue(tx.send(f.duplicate()));
            assertEquals(4, availIdx(dst, layout.txRing()));
            assertEquals(3, availIdx(src, layout.txRing()));
            long desc = off(layout.txRing()) + SplitRing.desc(3);
            assertEquals(layout.txBufs().value() + 3L * layout.bufSize(), dst.getU64(desc + SplitRing.DESC_ADDR),
                    "the next free buffer (3), as on the source");
        } finally {
            f.release();
        }
    }

    @Test
    void aControlCommandInFlightIsAnsweredInTheCopy() {
        ControlQueue ctrl = new ControlQueue(DriverRing.contiguous(onSrc, Q, layout.ctrlRing()), onSrc,
                layout.ctrlBufs());
        ctrl.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET, new byte[] {2, 0});
        assertEquals(ControlQueue.PENDING, ctrl.answer());
        src.copyTo(dst);
        ctrl.moveTo(onDst);
        dst.putU8(off(layout.ctrlBufs()) + 0x100, (byte) VirtioNet.CTRL_OK); // the destination's device acks
        deviceUses(dst, layout.ctrlRing(), 0, 0, 1);
        assertEquals(VirtioNet.CTRL_OK, ctrl.answer());
        assertEquals(ControlQueue.PENDING, ctrl.answer(), "answered once");
        assertFalse(src.getU8(off(layout.ctrlBufs()) + 0x100) == VirtioNet.CTRL_OK);
    }
}
