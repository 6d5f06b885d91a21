package org.toyvm.vdpa.uapi;

import java.util.ArrayList;
import java.util.List;

/**
 * Constants of {@code <linux/vhost_types.h>} and {@code <linux/vhost.h>} that the model speaks,
 * checked against the golden values compiled from the real headers. IOTLB_PERSIST and the bits after
 * SUSPEND are newer than the 6.1 header the golden file was compiled from.
 */
public final class VhostUapi {
    // struct vhost_msg / vhost_msg_v2 envelope types
    public static final int VHOST_IOTLB_MSG = 1;
    public static final int VHOST_IOTLB_MSG_V2 = 2;

    // vhost_iotlb_msg.type
    public static final int VHOST_IOTLB_MISS = 1;
    public static final int VHOST_IOTLB_UPDATE = 2;
    public static final int VHOST_IOTLB_INVALIDATE = 3;
    public static final int VHOST_IOTLB_ACCESS_FAIL = 4;
    public static final int VHOST_IOTLB_BATCH_BEGIN = 5;
    public static final int VHOST_IOTLB_BATCH_END = 6;

    // vhost_iotlb_msg.perm
    public static final int VHOST_ACCESS_RO = 1;
    public static final int VHOST_ACCESS_WO = 2;
    public static final int VHOST_ACCESS_RW = 3;

    // backend feature bit numbers
    public static final int F_IOTLB_MSG_V2 = 1;
    public static final int F_IOTLB_BATCH = 2;
    public static final int F_IOTLB_ASID = 3;
    public static final int F_SUSPEND = 4;
    public static final int F_RESUME = 5;
    public static final int F_ENABLE_AFTER_DRIVER_OK = 6;
    public static final int F_DESC_ASID = 7;
    public static final int F_IOTLB_PERSIST = 8;

    /** Reset flag of vdpa_config_ops.compat_reset: also drop the parent's DMA mappings. */
    public static final int VDPA_RESET_F_CLEAN_MAP = 1;

    /** {@code VIRTIO_ID_NET} of {@code <linux/virtio_ids.h>}: what VHOST_VDPA_GET_DEVICE_ID answers. */
    public static final int VIRTIO_ID_NET = 1;

    /**
     * The largest {@code vhost_vring_state.num} vhost_vring_set_num accepts ({@code s.num > 0xffff}
     * is -EINVAL), and the largest split-ring base VHOST_SET_VRING_BASE accepts (a u16 index).
     */
    public static final int VHOST_VRING_U16_MAX = 0xffff;

    /**
     * The request number of VHOST_VDPA_GET_VRING_DESC_GROUP, {@code _IOWR(VHOST_VIRTIO, 0x7F, struct
     * vhost_vring_state)} (include/uapi/linux/vhost.h, 6.7+; newer than the golden 6.1 header): read
     * {@code index}, write the descriptor group in {@code num}.
     */
    public static final int VHOST_VDPA_GET_VRING_DESC_GROUP = 0xC008AF7F;

    /** A {@code write()} of at least this many bytes is read as a message (type + asid + vhost_iotlb_msg). */
    public static final int MIN_MSG_WRITE = 40;

    private static final String[] FEATURE_NAMES = {
        null, "IOTLB_MSG_V2", "IOTLB_BATCH", "IOTLB_ASID", "SUSPEND", "RESUME", "ENABLE_AFTER_DRIVER_OK",
        "DESC_ASID", "IOTLB_PERSIST"
    };

    private VhostUapi() {
    }

    public static long bit(int n) {
        return 1L << n;
    }

    /** Backend feature names (without the VHOST_BACKEND_F_ prefix) of a mask, lowest bit first. */
    public static List<String> backendFeatureNames(long mask) {
        List<String> out = new ArrayList<>();
        for (int b = 0; b < 64; b++) {
            if ((mask & (1L << b)) != 0) {
                out.add(b < FEATURE_NAMES.length && FEATURE_NAMES[b] != null ? FEATURE_NAMES[b] : "BIT_" + b);
            }
        }
        return out;
    }

    /** The name of an IOTLB message type, or "TYPE_n". */
    public static String iotlbTypeName(int type) {
        return switch (type) {
            case VHOST_IOTLB_MISS -> "MISS";
            case VHOST_IOTLB_UPDATE -> "UPDATE";
            case VHOST_IOTLB_INVALIDATE -> "INVALIDATE";
            case VHOST_IOTLB_ACCESS_FAIL -> "ACCESS_FAIL";
            case VHOST_IOTLB_BATCH_BEGIN -> "BATCH_BEGIN";
            case VHOST_IOTLB_BATCH_END -> "BATCH_END";
            default -> "TYPE_" + type;
        };
    }
}
