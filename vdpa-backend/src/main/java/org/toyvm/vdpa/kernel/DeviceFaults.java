package org.toyvm.vdpa.kernel;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.U64;

/**
 * What happens to a DMA of the device that finds no mapping (or the wrong permission): vhost-vdpa
 * never hears of it. The device DMAs through its parent's translation, not through vhost's IOTLB,
 * so nothing calls {@code vhost_iotlb_notify_vq} and no MISS message is queued: vhost_vdpa_fops has
 * no {@code read_iter} at all (v6.1 and v6.12), so read(2) is EINVAL. The parent is the one that
 * sees the fault — vdpa_sim's vringh access fails and it logs a vring error, mlx5 hardware raises
 * a device error — so the model counts each fault here and traces it, for reports and tests.
 */
final class DeviceFaults {
    private static final Logger TRACE = LogManager.getLogger("trace.vhost_vdpa_kernel");

    private long misses;
    private long accessFailures;

    /** One DMA fault of the device at the u64 {@code iova} in address space {@code asid}. */
    void record(int asid, long iova, int perm, boolean accessFail) {
        if (accessFail) {
            accessFailures++;
        } else {
            misses++;
        }
        TRACE.trace("device_dma_fault asid={} iova={} perm={} {}", Integer.toUnsignedString(asid), U64.hex(iova),
                perm, accessFail ? "access-fail" : "miss");
    }

    long misses() {
        return misses;
    }

    long accessFailures() {
        return accessFailures;
    }
}
