package org.toyvm.hw.net;

import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;

/**
 * The device's {@code struct virtio_net_config} (virtio 1.x §5.1.4): MAC, link status, the number
 * of queue pairs and the MTU, read-only for the driver. Reads follow the parents' get_config
 * (vdpasim_get_config, mlx5_vdpa_get_config: "if (offset + len <= sizeof(config)) memcpy"): a range
 * outside the space, or outside the destination, copies nothing; all three values are unsigned.
 */
final class NetConfigSpace {
    private static final int MAC_LEN = 6;
    private final byte[] config = new byte[VirtioNet.CONFIG_SIZE];
    /** The MAC the device was made with; a reset restores it (QEMU virtio_net_reset: n->mac = macaddr). */
    private final long defaultMac;

    NetConfigSpace(long mac, int queuePairs, int mtu) {
        this.defaultMac = mac;
        setMac(mac);
        config[VirtioNet.CONFIG_STATUS] = VirtioNet.S_LINK_UP;
        config[VirtioNet.CONFIG_MAX_VQ_PAIRS] = (byte) queuePairs;
        config[VirtioNet.CONFIG_MAX_VQ_PAIRS + 1] = (byte) (queuePairs >>> 8);
        config[VirtioNet.CONFIG_MTU] = (byte) mtu;
        config[VirtioNet.CONFIG_MTU + 1] = (byte) (mtu >>> 8);
    }

    /** The MAC in the config space as a 48-bit number (what MAC_ADDR_SET last set). */
    long mac() {
        long m = 0;
        for (int i = 0; i < MAC_LEN; i++) {
            m = m << 8 | (config[VirtioNet.CONFIG_MAC + i] & 0xff);
        }
        return m;
    }

    /** MAC_ADDR_SET (QEMU virtio_net_handle_mac copies into n->mac, which get_config reports). */
    void setMac(long mac) {
        for (int i = 0; i < MAC_LEN; i++) {
            config[VirtioNet.CONFIG_MAC + i] = (byte) (mac >>> (8 * (MAC_LEN - 1 - i)));
        }
    }

    boolean announcePending() {
        return (config[VirtioNet.CONFIG_STATUS] & VirtioNet.S_ANNOUNCE) != 0;
    }

    /**
     * QEMU virtio_net_announce: only with GUEST_ANNOUNCE and CTRL_VQ negotiated does the device set
     * VIRTIO_NET_S_ANNOUNCE (until the driver's ANNOUNCE_ACK). Answers whether it did.
     */
    boolean requestAnnounce(NetFeatures features) {
        if (!features.has(VirtioFeatures.NET_F_GUEST_ANNOUNCE) || !features.has(VirtioFeatures.NET_F_CTRL_VQ)) {
            return false;
        }
        setAnnounce(true);
        return true;
    }

    void setAnnounce(boolean on) {
        config[VirtioNet.CONFIG_STATUS] = (byte) (on ? config[VirtioNet.CONFIG_STATUS] | VirtioNet.S_ANNOUNCE
                : config[VirtioNet.CONFIG_STATUS] & ~VirtioNet.S_ANNOUNCE);
    }

    /** Device reset: the original MAC back, no announcement pending (QEMU virtio_net_reset). */
    void reset() {
        setMac(defaultMac);
        setAnnounce(false);
    }

    int size() {
        return config.length;
    }

    void read(int offset, byte[] dst, int dstIndex, int len) {
        if (within(offset, len, config.length) && within(dstIndex, len, dst.length)) {
            System.arraycopy(config, offset, dst, dstIndex, len);
        }
    }

    /** [off, off+len) inside [0, size), all unsigned 32-bit. */
    private static boolean within(int off, int len, int size) {
        return Integer.toUnsignedLong(off) + Integer.toUnsignedLong(len) <= size;
    }
}
