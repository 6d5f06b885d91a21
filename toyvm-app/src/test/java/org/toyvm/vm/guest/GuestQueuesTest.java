package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
 * The guest's RX and TX queues against a device played by hand, over guest RAM mapped at 4 GiB so
 * that every GPA differs from its block offset. A misbehaving device (ids out of range, lengths that
 * do not fit) never crashes the guest and never loses a buffer.
 */
class GuestQueuesTest {
    static final Gpa RAM_AT = Gpa.of(1L << 32);
    static final int Q = GuestLayout.QUEUE_SIZE;
    static final int HDR = VirtioNet.HDR_V1_SIZE;
    final RamBlock ram = new HostAddressSpace().map("guest", 4 << 20);
    final GuestRam guest = GuestRam.at(ram, RAM_AT);
    final GuestLayout layout = GuestLayout.at(RAM_AT);

    private long off(Gpa gpa) {
        return gpa.value() - RAM_AT.value();
    }

    /** The device side: puts (id, len) in used slot {@code idx} of the ring at {@code ring} and publishes idx + 1. */
    private void deviceUses(Gpa ring, int idx, int id, int len) {
        long used = off(DriverRing.Layout.contiguous(ring, Q).used());
        ram.putU32(used + SplitRing.usedElem(idx & (Q - 1)) + SplitRing.USED_ELEM_ID, id);
        ram.putU32(used + SplitRing.usedElem(idx & (Q - 1)) + SplitRing.USED_ELEM_LEN, len);
        ram.putU16Release(used + SplitRing.USED_IDX, (short) (idx + 1));
    }

    private int availIdx(Gpa ring) {
        return ram.getU16(off(DriverRing.Layout.contiguous(ring, Q).avail()) + SplitRing.AVAIL_IDX) & 0xffff;
    }

    private int availHead(Gpa ring, int slot) {
        return ram.getU16(off(DriverRing.Layout.contiguous(ring, Q).avail()) + SplitRing.availRing(slot & (Q - 1)));
    }

    private RxQueue rx() {
        return new RxQueue(DriverRing.contiguous(guest, Q, layout.rxRing()),
                new GuestBuffers(guest, layout.rxBufs(), Q, layout.bufSize()), PooledByteBufAllocator.DEFAULT);
    }

    private TxQueue tx() {
        return new TxQueue(DriverRing.contiguous(guest, Q, layout.txRing()),
                new GuestBuffers(guest, layout.txBufs(), Q, layout.bufSize()));
    }

    @Test
    void rxFillPostsEveryBufferByItsGpa() {
        rx().fill();
        long desc = off(layout.rxRing());
        for (int i = 0; i < Q; i++) {
            long d = desc + SplitRing.desc(i);
            assertEquals(layout.rxBufs().value() + (long) i * layout.bufSize(), ram.getU64(d + SplitRing.DESC_ADDR));
            assertEquals(layout.bufSize(), ram.getU32(d + SplitRing.DESC_LEN));
            assertEquals(SplitRing.DESC_F_WRITE, ram.getU16(d + SplitRing.DESC_FLAGS));
            assertEquals(i, availHead(layout.rxRing(), i));
        }
        assertEquals(Q, availIdx(layout.rxRing()));
    }

    @Test
    void rxHandsUpWellFormedFramesAndRepostsEveryBufferWithAValidId() {
        RxQueue rx = rx();
        rx.fill();
        byte[] frame = new byte[60];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i + 1);
        }
        // The device writes buffer 5 at its GPA (here block offset = GPA - 4 GiB).
        ram.write(off(layout.rxBufs()) + 5L * layout.bufSize() + HDR, frame, 0, frame.length);
        deviceUses(layout.rxRing(), 0, 5, HDR + frame.length);
        deviceUses(layout.rxRing(), 1, Q, HDR + 60); // id out of range: ignored, nothing reposted
        deviceUses(layout.rxRing(), 2, 7, HDR); // header only: nothing to hand up
        deviceUses(layout.rxRing(), 3, 8, -1); // 0xffffffff bytes: does not fit
        deviceUses(layout.rxRing(), 4, 9, HDR + layout.bufSize()); // longer than the buffer
        List<byte[]> got = new ArrayList<>();
        assertTrue(rx.receive(f -> got.add(ByteBufUtil.getBytes(f))));
        assertEquals(1, got.size());
        assertArrayEquals(frame, got.get(0));
        assertEquals(Q + 4, availIdx(layout.rxRing()));
        assertEquals(List.of(5, 7, 8, 9), List.of(availHead(layout.rxRing(), Q), availHead(layout.rxRing(), Q + 1),
                availHead(layout.rxRing(), Q + 2), availHead(layout.rxRing(), Q + 3)));
        assertFalse(rx.receive(f -> got.add(null)), "nothing new: nothing reposted, no kick");
    }

    @Test
    void txWritesHeaderAndFrameAtTheBuffersGpaAndNeverLosesABuffer() {
        TxQueue tx = tx();
        ByteBuf big = Unpooled.wrappedBuffer(new byte[layout.bufSize() - HDR + 1]);
        assertFalse(tx.send(big), "a frame longer than a buffer is refused");
        ByteBuf f = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4});
        for (int i = 0; i < Q; i++) {
            assertTrue(tx.send(f.duplicate()), "buffer " + i + ": the refused frame took none");
        }
        assertFalse(tx.send(f.duplicate()), "every buffer in flight");
        long d = off(layout.txRing()) + SplitRing.desc(0);
        assertEquals(layout.txBufs().value(), ram.getU64(d + SplitRing.DESC_ADDR));
        assertEquals(HDR + 4, ram.getU32(d + SplitRing.DESC_LEN));
        assertEquals(0, ram.getU16(d + SplitRing.DESC_FLAGS));
        byte[] buf = new byte[HDR + 4];
        ram.read(off(layout.txBufs()), buf, 0, buf.length);
        byte[] expected = new byte[HDR + 4]; // a zeroed header, then the frame
        System.arraycopy(new byte[] {1, 2, 3, 4}, 0, expected, HDR, 4);
        assertArrayEquals(expected, buf);
        assertEquals(Q, availIdx(layout.txRing()));

        deviceUses(layout.txRing(), 0, Q + 44, 0); // id out of range: ignored
        deviceUses(layout.txRing(), 1, 3, 0);
        tx.reclaim();
        assertTrue(tx.send(f.duplicate()), "buffer 3 is free again");
        assertEquals(3, availHead(layout.txRing(), Q));
        assertFalse(tx.send(f.duplicate()));
        big.release();
        f.release();
    }
}
