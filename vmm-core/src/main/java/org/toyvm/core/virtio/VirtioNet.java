package org.toyvm.core.virtio;

/**
 * virtio-net layouts (virtio 1.x §5.1.4, §5.1.6): the config space and the header before every
 * frame. All fields little-endian.
 *
 * <pre>
 * virtio_net_config: 0 mac[6] | 6 status (u16: LINK_UP 1, ANNOUNCE 2) | 8 max_virtqueue_pairs (u16) | 10 mtu (u16) ...
 * virtio_net_hdr_v1: 0 flags | 1 gso_type | 2 hdr_len | 4 gso_size | 6 csum_start | 8 csum_offset | 10 num_buffers
 * </pre>
 * Queue pair k has rx = 2k and tx = 2k + 1; the control queue comes after the last pair.
 */
public final class VirtioNet {
    public static final int CONFIG_MAC = 0;
    public static final int CONFIG_STATUS = 6;
    public static final int CONFIG_MAX_VQ_PAIRS = 8;
    public static final int CONFIG_MTU = 10;
    /** sizeof(struct virtio_net_config) in the 6.1 headers. */
    public static final int CONFIG_SIZE = 24;
    public static final int S_LINK_UP = 1;
    public static final int S_ANNOUNCE = 2;

    public static final int HDR_FLAGS = 0;
    public static final int HDR_GSO_TYPE = 1;
    public static final int HDR_HDR_LEN = 2;
    public static final int HDR_GSO_SIZE = 4;
    public static final int HDR_CSUM_START = 6;
    public static final int HDR_CSUM_OFFSET = 8;
    public static final int HDR_NUM_BUFFERS = 10;
    /** virtio_net_hdr_v1 (VERSION_1): 12 bytes. */
    public static final int HDR_V1_SIZE = 12;
    /** Legacy virtio_net_hdr without num_buffers. */
    public static final int HDR_LEGACY_SIZE = 10;

    // The control virtqueue (virtio 1.x §5.1.6.5; include/uapi/linux/virtio_net.h): a command is
    // {u8 class; u8 cmd} + command data (device-readable), then u8 ack (device-writable).
    public static final int CTRL_HDR_SIZE = 2;
    public static final int CTRL_OK = 0;
    public static final int CTRL_ERR = 1;
    public static final int CTRL_RX = 0;
    public static final int CTRL_RX_PROMISC = 0;
    public static final int CTRL_RX_ALLMULTI = 1;
    public static final int CTRL_RX_ALLUNI = 2;
    public static final int CTRL_RX_NOMULTI = 3;
    public static final int CTRL_RX_NOUNI = 4;
    public static final int CTRL_RX_NOBCAST = 5;
    public static final int CTRL_MAC = 1;
    public static final int CTRL_MAC_TABLE_SET = 0;
    public static final int CTRL_MAC_ADDR_SET = 1;
    public static final int CTRL_VLAN = 2;
    public static final int CTRL_VLAN_ADD = 0;
    public static final int CTRL_VLAN_DEL = 1;
    public static final int CTRL_ANNOUNCE = 3;
    public static final int CTRL_ANNOUNCE_ACK = 0;
    public static final int CTRL_MQ = 4;
    public static final int CTRL_MQ_VQ_PAIRS_SET = 0;
    public static final int CTRL_MQ_RSS_CONFIG = 1;
    public static final int CTRL_MQ_HASH_CONFIG = 2;
    public static final int CTRL_MQ_VQ_PAIRS_MIN = 1;
    public static final int CTRL_MQ_VQ_PAIRS_MAX = 0x8000;
    public static final int CTRL_GUEST_OFFLOADS = 5;
    public static final int CTRL_GUEST_OFFLOADS_SET = 0;
    /** Number of VLAN ids the VLAN filter covers (vid is 12 bits). */
    public static final int VLAN_IDS = 4096;
    public static final int ETH_ALEN = 6;

    private VirtioNet() {
    }

    public static int rxQueue(int pair) {
        return 2 * pair;
    }

    public static int txQueue(int pair) {
        return 2 * pair + 1;
    }

    public static int controlQueue(int pairs) {
        return 2 * pairs;
    }
}
