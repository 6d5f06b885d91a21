package org.toyvm.vdpa.kernel;

import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_IOTLB_ACCESS_FAIL;
import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_IOTLB_MISS;

import java.util.ArrayDeque;
import java.util.Optional;
import org.toyvm.core.addr.Iova;
import org.toyvm.vdpa.uapi.VhostMsgV2;

/**
 * The messages userspace reads back from the fd: IOTLB MISS and ACCESS_FAIL, as
 * {@code vhost_iotlb_notify_vq} / {@code vhost_chr_read_iter} queue them for a device that found no
 * mapping. Bounded: when full, the oldest message is dropped and counted.
 */
final class IotlbFaultQueue {
    static final int CAPACITY = 64;

    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long dropped;

    void post(int asid, Iova iova, int perm, boolean accessFail) {
        if (queue.size() >= CAPACITY) {
            queue.poll();
            dropped++;
        }
        queue.add(VhostMsgV2.of(asid, accessFail ? VHOST_IOTLB_ACCESS_FAIL : VHOST_IOTLB_MISS, iova, 0,
                VhostMsgV2.NO_UADDR, perm).encode());
    }

    Optional<byte[]> read() {
        return Optional.ofNullable(queue.poll());
    }

    long dropped() {
        return dropped;
    }
}
