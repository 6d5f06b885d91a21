package org.toyvm.vm.guest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;

/**
 * The guest's receive queue: every buffer of its pool posted device-writable (Linux's try_fill_recv
 * at virtnet_open), and on each used-buffer interrupt the frames read out, handed up and their
 * buffers posted again (virtnet_receive, then a refill), one buffer per frame with its virtio-net
 * header in front.
 */
final class RxQueue {
    private DriverRing ring;
    private GuestBuffers bufs;
    private final ByteBufAllocator alloc;

    RxQueue(DriverRing ring, GuestBuffers bufs, ByteBufAllocator alloc) {
        this.ring = ring;
        this.bufs = bufs;
        this.alloc = alloc;
    }

    /** The guest was migrated: the same ring and buffers, with their state, now in {@code ram}. */
    void moveTo(GuestRam ram) {
        GuestBuffers b = bufs.movedTo(ram);
        ring = ring.movedTo(ram);
        bufs = b;
    }

    /** Posts buffer {@code i} in descriptor {@code i} for every slot, and publishes them all. */
    void fill() {
        for (int i = 0; i < ring.size(); i++) {
            ring.writeDesc(i, bufs.gpa(i), bufs.size(), SplitRing.DESC_F_WRITE, 0);
            ring.add(i);
        }
        ring.publish();
    }

    /**
     * Takes the frames the device has used so far (up to the used index read once, at entry), hands
     * each to {@code up}, which must not keep it, and reposts their buffers. Answers whether any
     * buffer was reposted: the caller then kicks the device.
     */
    boolean receive(Consumer<ByteBuf> up) {
        int usedIdx = ring.usedIdx();
        boolean reposted = false;
        while (ring.usedSeen() != usedIdx) {
            int id = ring.nextUsedId();
            int len = ring.nextUsedLen();
            ring.consumeUsed();
            if (id < 0 || id >= ring.size()) {
                continue; // a device bug; the toy guest ignores the element
            }
            int frameLen = len - VirtioNet.HDR_V1_SIZE;
            if (frameLen > 0 && frameLen <= bufs.size() - VirtioNet.HDR_V1_SIZE) {
                ByteBuf f = alloc.buffer(frameLen);
                try {
                    bufs.read(id, VirtioNet.HDR_V1_SIZE, f, frameLen);
                    up.accept(f);
                } finally {
                    f.release();
                }
            }
            ring.add(id);
            reposted = true;
        }
        if (reposted) {
            ring.publish();
        }
        return reposted;
    }
}
