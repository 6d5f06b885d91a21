package org.toyvm.net.vhost;

import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_ASID;
import static org.toyvm.vdpa.uapi.VhostUapi.bit;

import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.vdpa.kernel.IoctlResult;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.uapi.Errno;

/**
 * net/vhost-vdpa.c {@code vhost_vdpa_probe_cvq_isolation}, run once by the control queue client's
 * {@code net_vhost_vdpa_init} (QEMU 8.1 moved it there from every {@code vhost_vdpa_net_cvq_start},
 * Eugenio Pérez's "vdpa: move CVQ isolation check to net_init_vhost_vdpa"; 9.0, 9.2, 10.1 and master
 * all have it at init). Raw ioctls on the fd: GET_BACKEND_FEATURES, and without IOTLB_ASID the answer
 * is no; else SET_STATUS ACK|DRIVER, SET_FEATURES (every feature the device offers), +FEATURES_OK, the
 * control queue's GET_VRING_GROUP (EOPNOTSUPP: the parent has no groups, no), then the group of each
 * data queue until one shares it (no); and SET_STATUS 0 whatever the answer — which leaves the device
 * at status 0, and resets the parent (a CLEAN_MAP reset from 6.7 unless IOTLB_PERSIST is acked).
 */
final class CvqIsolationProbe {
    private static final String BY = "vhost_vdpa_probe_cvq_isolation";

    private CvqIsolationProbe() {
    }

    /** True when the control queue {@code cvqIndex} is alone in its group and address spaces can be switched. */
    static boolean probe(VhostVdpaOps ops, long deviceFeatures, int cvqIndex) {
        VhostVdpaDevice dev = ops.device();
        IoctlResult bf = ops.traced("GET_BACKEND_FEATURES", "", BY, dev.getBackendFeatures());
        ops.check(bf, "GET_BACKEND_FEATURES");
        if ((bf.value() & bit(F_IOTLB_ASID)) == 0) {
            return false;
        }
        int status = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER;
        try {
            if (!ops.traced("SET_STATUS", VirtioStatus.describe(status), BY, dev.setStatus(status)).ok()
                    || !ops.traced("SET_FEATURES", Long.toHexString(deviceFeatures), BY,
                            dev.setFeatures(deviceFeatures)).ok()) {
                return false;
            }
            status |= VirtioStatus.FEATURES_OK;
            if (!ops.traced("SET_STATUS", VirtioStatus.describe(status), BY, dev.setStatus(status)).ok()) {
                return false;
            }
            IoctlResult cvq = ops.traced("GET_VRING_GROUP", "vq " + cvqIndex, BY, dev.getVringGroup(cvqIndex));
            if (!cvq.ok()) {
                if (cvq.errno() != Errno.EOPNOTSUPP) {
                    throw new IllegalStateException("vhost-vdpa: Cannot get VQ " + cvqIndex + " group: " + cvq.errno());
                }
                return false;
            }
            for (int i = 0; i < cvqIndex; i++) {
                IoctlResult g = ops.traced("GET_VRING_GROUP", "vq " + i, BY, dev.getVringGroup(i));
                ops.check(g, "GET_VRING_GROUP");
                if (g.value() == cvq.value()) {
                    return false;
                }
            }
            return true;
        } finally {
            ops.traced("SET_STATUS", "0", BY, dev.setStatus(0));
        }
    }
}
