package org.toyvm.vdpa.kernel;

import static org.toyvm.vdpa.uapi.VhostUapi.F_DESC_ASID;
import static org.toyvm.vdpa.uapi.VhostUapi.F_ENABLE_AFTER_DRIVER_OK;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_ASID;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_BATCH;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_MSG_V2;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_PERSIST;
import static org.toyvm.vdpa.uapi.VhostUapi.F_RESUME;
import static org.toyvm.vdpa.uapi.VhostUapi.F_SUSPEND;
import static org.toyvm.vdpa.uapi.VhostUapi.bit;

import org.toyvm.core.addr.U64;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.uapi.Errno;

/**
 * The vhost backend features of one open fd: what GET_BACKEND_FEATURES offers and the checks
 * SET_BACKEND_FEATURES makes before it records the acked set ({@code vhost_vdpa_unlocked_ioctl},
 * VHOST_SET_BACKEND_FEATURES, and {@code vhost_vdpa_has_persistent_map}).
 */
final class BackendFeatures {
    private static final long ALWAYS_OFFERED = bit(F_IOTLB_MSG_V2) | bit(F_IOTLB_BATCH) | bit(F_IOTLB_ASID);

    private final KernelVersion version;
    private final VdpaParent parent;
    private final ParentMapper mapper;
    private long acked;

    BackendFeatures(KernelVersion version, VdpaParent parent, ParentMapper mapper) {
        this.version = version;
        this.parent = parent;
        this.mapper = mapper;
    }

    long acked() {
        return acked;
    }

    boolean ackedBit(int feature) {
        return (acked & bit(feature)) != 0;
    }

    void clear() {
        acked = 0;
    }

    boolean persistAcked() {
        return version.hasIotlbPersist() && ackedBit(F_IOTLB_PERSIST);
    }

    /**
     * vhost_vdpa_has_persistent_map: the parent keeps its mappings across reset if asked — a
     * platform IOMMU domain (no map ops), a reset_map op, or the parent's own advertisement.
     */
    boolean hasPersistentMap() {
        return mapper.survivesDeviceReset() || parent.hasResetMap() || parent.advertisesPersist();
    }

    /**
     * What GET_BACKEND_FEATURES offers (never the acked set). 6.1 (vhost_vdpa_unlocked_ioctl of
     * v6.1): MSG_V2, BATCH, ASID, and SUSPEND when the parent has the op — 0x1e for vdpa_sim_net.
     * 6.12 adds RESUME ({@code vhost_vdpa_can_resume}), DESC_ASID ({@code vhost_vdpa_has_desc_group}),
     * IOTLB_PERSIST ({@code vhost_vdpa_has_persistent_map}) and the parent's
     * {@code get_backend_features} (ENABLE_AFTER_DRIVER_OK) — 0x17e for vdpa_sim_net.
     */
    long offered() {
        long f = ALWAYS_OFFERED;
        if (parent.hasSuspend()) {
            f |= bit(F_SUSPEND);
        }
        if (version.hasResume() && parent.hasResume()) {
            f |= bit(F_RESUME);
        }
        if (version.hasDescAsid() && parent.hasDescGroup()) {
            f |= bit(F_DESC_ASID);
        }
        if (version.hasParentBackendFeatures()) {
            f |= parent.extraBackendFeatures();
        }
        if (version.hasIotlbPersist() && hasPersistentMap()) {
            f |= bit(F_IOTLB_PERSIST);
        }
        return f;
    }

    /**
     * The bits SET_BACKEND_FEATURES may name at all; any other is -EOPNOTSUPP before every other
     * check. v6.1: {@code VHOST_VDPA_BACKEND_FEATURES | SUSPEND} (bits 1-4), so RESUME (5),
     * ENABLE_AFTER_DRIVER_OK (6), DESC_ASID (7) and IOTLB_PERSIST (8) are EOPNOTSUPP there; v6.12
     * adds 5 to 8.
     */
    long ackable() {
        long f = ALWAYS_OFFERED | bit(F_SUSPEND);
        if (version.hasResume()) {
            f |= bit(F_RESUME);
        }
        if (version.hasParentBackendFeatures()) {
            f |= bit(F_ENABLE_AFTER_DRIVER_OK);
        }
        if (version.hasDescAsid()) {
            f |= bit(F_DESC_ASID);
        }
        if (version.hasIotlbPersist()) {
            f |= bit(F_IOTLB_PERSIST);
        }
        return f;
    }

    /**
     * VHOST_SET_BACKEND_FEATURES (vhost_vdpa_unlocked_ioctl, v6.12 order): unknown bits, SUSPEND or
     * RESUME without the op: -EOPNOTSUPP; DESC_ASID without IOTLB_ASID: -EINVAL; DESC_ASID without
     * {@code get_vq_desc_group}, IOTLB_PERSIST without a persistent map: -EOPNOTSUPP. Records
     * {@code features} or refuses them through {@code gate}.
     */
    IoctlResult ack(long features, DeviceGate gate) {
        long ackable = ackable();
        if ((features & ~ackable) != 0) {
            return gate.fail(Errno.EOPNOTSUPP,
                    "unknown backend feature bits " + U64.hex(features & ~ackable));
        }
        if ((features & bit(F_SUSPEND)) != 0 && !parent.hasSuspend()) {
            return gate.fail(Errno.EOPNOTSUPP, "SUSPEND without a suspend op");
        }
        if ((features & bit(F_RESUME)) != 0 && !parent.hasResume()) {
            return gate.fail(Errno.EOPNOTSUPP, "RESUME without a resume op");
        }
        if ((features & bit(F_DESC_ASID)) != 0 && (features & bit(F_IOTLB_ASID)) == 0) {
            return gate.fail(Errno.EINVAL, "DESC_ASID requires IOTLB_ASID");
        }
        if ((features & bit(F_DESC_ASID)) != 0 && !parent.hasDescGroup()) {
            return gate.fail(Errno.EOPNOTSUPP, "DESC_ASID without get_vq_desc_group");
        }
        if ((features & bit(F_IOTLB_PERSIST)) != 0 && !hasPersistentMap()) {
            return gate.fail(Errno.EOPNOTSUPP, "IOTLB_PERSIST without a persistent map");
        }
        acked = features;
        return IoctlResult.OK;
    }
}
