package org.toyvm.vm.guest;

import org.toyvm.core.addr.Gpa;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;

/**
 * The guest's side of the control virtqueue, as Linux's virtnet_send_command builds a command: three
 * descriptors — the {@code {class, command}} header and the command data, device-readable, then the
 * one-byte ack, device-writable and preset to ~0 ("vi->ctrl->status = ~0") — one command at a time,
 * always at descriptor 0. The caller kicks the queue and polls {@link #answer()} (the driver
 * busy-polls the used ring: the control queue has no interrupt callback in virtnet_find_vqs).
 */
final class ControlQueue {
    /** What {@link #answer()} returns while the device has not used the chain. */
    static final int PENDING = -1;
    private static final int HDR_AT = 0;
    private static final int DATA_AT = 0x10;
    private static final int ACK_AT = 0x100;
    private static final int MAX_DATA = ACK_AT - DATA_AT;
    private static final byte ACK_UNSET = (byte) 0xff;

    private DriverRing ring;
    private final Gpa bufs;
    private GuestRam.RamSpan span;
    private int seen;

    /** @throws org.toyvm.core.mem.MemoryAccessException when the buffers are not inside guest RAM */
    ControlQueue(DriverRing ring, GuestRam ram, Gpa bufs) {
        this.ring = ring;
        this.bufs = bufs;
        this.span = ram.span(bufs, ACK_AT + 1);
        this.seen = ring.usedIdx();
    }

    /** The guest was migrated: the same ring, buffers and last seen used index, now in {@code ram}. */
    void moveTo(GuestRam ram) {
        GuestRam.RamSpan s = ram.span(bufs, ACK_AT + 1);
        ring = ring.movedTo(ram);
        span = s;
    }

    /** Makes command {@code cls}/{@code cmd} with {@code data} available (the caller kicks). */
    void send(int cls, int cmd, byte[] data) {
        if (data.length > MAX_DATA) {
            throw new IllegalArgumentException("control command data of " + data.length + " bytes");
        }
        span.block().write(span.offset() + HDR_AT, new byte[] {(byte) cls, (byte) cmd}, 0, VirtioNet.CTRL_HDR_SIZE);
        span.block().write(span.offset() + DATA_AT, data, 0, data.length);
        span.block().putU8(span.offset() + ACK_AT, ACK_UNSET);
        ring.writeDesc(0, bufs.plus(HDR_AT), VirtioNet.CTRL_HDR_SIZE, SplitRing.DESC_F_NEXT, 1);
        ring.writeDesc(1, bufs.plus(DATA_AT), data.length, SplitRing.DESC_F_NEXT, 2);
        ring.writeDesc(2, bufs.plus(ACK_AT), 1, SplitRing.DESC_F_WRITE, 0);
        seen = ring.usedIdx();
        ring.offer(0);
    }

    /**
     * The ack once the device has used the chain ({@code VIRTIO_NET_OK}, {@code VIRTIO_NET_ERR}, or
     * whatever byte is there — 0xff when the device wrote none), else {@link #PENDING}.
     */
    int answer() {
        if (ring.usedIdx() == seen) {
            return PENDING;
        }
        seen = ring.usedIdx();
        return span.block().getU8(span.offset() + ACK_AT) & 0xff;
    }
}
