package org.toyvm.vm.guest;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.VirtioNet;

/**
 * The guest's transmit queue: one descriptor per frame, the virtio-net header and the frame in one
 * buffer (Linux's start_xmit with any-layout), buffers taken from a free list and given back when
 * the device has used them (free_old_xmit).
 */
final class TxQueue {
    private DriverRing ring;
    private GuestBuffers bufs;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();

    TxQueue(DriverRing ring, GuestBuffers bufs) {
        this.ring = ring;
        this.bufs = bufs;
        for (int i = 0; i < ring.size(); i++) {
            free.add(i);
        }
    }

    /**
     * The guest was migrated: the same ring and buffers now in {@code ram}, the free list as it was
     * (buffers in flight stay the device's until it uses them).
     */
    void moveTo(GuestRam ram) {
        GuestBuffers b = bufs.movedTo(ram);
        ring = ring.movedTo(ram);
        bufs = b;
    }

    /** Free buffers: the ring's size less the ones in flight. */
    int freeBuffers() {
        return free.size();
    }

    /** Gives back the buffers the device has used so far (up to the used index read once, at entry). */
    void reclaim() {
        int usedIdx = ring.usedIdx();
        while (ring.usedSeen() != usedIdx) {
            int id = ring.nextUsedId();
            ring.consumeUsed();
            if (id >= 0 && id < ring.size()) {
                free.add(id);
            }
        }
    }

    /**
     * Copies {@code frame} (not taken) behind a zeroed header into a free buffer and makes it
     * available. Answers false, leaving the ring as it was, when the frame does not fit a buffer or
     * no buffer is free; the caller kicks the device after a true.
     */
    boolean send(ByteBuf frame) {
        int len = frame.readableBytes();
        if (len > bufs.size() - VirtioNet.HDR_V1_SIZE) {
            return false;
        }
        Integer id = free.poll();
        if (id == null) {
            return false;
        }
        bufs.write(id, VirtioNet.HDR_V1_SIZE, frame, len);
        ring.writeDesc(id, bufs.gpa(id), VirtioNet.HDR_V1_SIZE + len, 0, 0);
        ring.offer(id);
        return true;
    }
}
