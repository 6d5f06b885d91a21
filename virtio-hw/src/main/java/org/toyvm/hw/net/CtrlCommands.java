package org.toyvm.hw.net;

import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.hw.api.QueuePairsListener;

/**
 * What the device does with one control command (virtio 1.x §5.1.6.5), after QEMU's
 * {@code virtio_net_handle_ctrl_iov} and its per-class handlers in hw/net/virtio-net.c. The command
 * data arrive as bytes already copied out of the chain; every field is read at its spec width,
 * little-endian, unsigned, and its size checked before it is used.
 *
 * <p>Differences from QEMU, on purpose: each class also needs its feature negotiated (the spec puts
 * that on the driver; QEMU checks it only for MQ and GUEST_OFFLOADS); and MAC_TABLE_SET sizes are
 * computed in 64 bits where QEMU multiplies the u32 entry count by 6 in 32 bits.
 */
final class CtrlCommands {
    /** The answer to a command: OK, ERR, or ERR because the command data had the wrong size. */
    enum Ack {
        OK(VirtioNet.CTRL_OK), ERR(VirtioNet.CTRL_ERR), MALFORMED(VirtioNet.CTRL_ERR);

        final int wire;

        Ack(int wire) {
            this.wire = wire;
        }
    }

    private static final int U16 = 2;
    private static final int U32 = 4;
    private static final int U64 = 8;

    private final RxFilter filter;
    private final NetConfigSpace config;
    private final int maxPairs;
    private final QueuePairsListener pairsListener;
    /** Staging for MAC_TABLE_SET: a rejected command leaves the table as it was (QEMU fills a copy). */
    private final byte[] staged = new byte[RxFilter.MAC_TABLE_ENTRIES * VirtioNet.ETH_ALEN];

    CtrlCommands(RxFilter filter, NetConfigSpace config, int maxPairs) {
        this(filter, config, maxPairs, (from, to) -> { });
    }

    /** {@code pairsListener} hears every VQ_PAIRS_SET applied, after the filter took the new count. */
    CtrlCommands(RxFilter filter, NetConfigSpace config, int maxPairs, QueuePairsListener pairsListener) {
        this.filter = filter;
        this.config = config;
        this.maxPairs = maxPairs;
        this.pairsListener = pairsListener;
    }

    /** Runs command {@code cls}/{@code cmd} with data {@code d[off, off+len)} under the negotiated {@code features}. */
    Ack execute(int cls, int cmd, byte[] d, int off, int len, long features) {
        switch (cls) {
            case VirtioNet.CTRL_RX:
                return rxMode(cmd, d, off, len, features);
            case VirtioNet.CTRL_MAC:
                return mac(cmd, d, off, len, features);
            case VirtioNet.CTRL_VLAN:
                return vlan(cmd, d, off, len, features);
            case VirtioNet.CTRL_ANNOUNCE:
                return announce(cmd, features);
            case VirtioNet.CTRL_MQ:
                return mq(cmd, d, off, len, features);
            case VirtioNet.CTRL_GUEST_OFFLOADS:
                return offloads(cmd, d, off, len, features);
            default:
                return Ack.ERR; // virtio_net_handle_ctrl_iov: status stays VIRTIO_NET_ERR
        }
    }

    /** QEMU virtio_net_handle_rx_mode: one u8, any non-zero value is on. */
    private Ack rxMode(int cmd, byte[] d, int off, int len, long features) {
        if (!VirtioFeatures.has(features, VirtioFeatures.NET_F_CTRL_RX)) {
            return Ack.ERR;
        }
        if (cmd >= VirtioNet.CTRL_RX_ALLUNI && cmd <= VirtioNet.CTRL_RX_NOBCAST
                && !VirtioFeatures.has(features, VirtioFeatures.NET_F_CTRL_RX_EXTRA)) {
            return Ack.ERR;
        }
        if (len < 1) {
            return Ack.MALFORMED; // "if (s != sizeof(on))"
        }
        boolean on = d[off] != 0;
        switch (cmd) {
            case VirtioNet.CTRL_RX_PROMISC -> filter.promisc = on;
            case VirtioNet.CTRL_RX_ALLMULTI -> filter.allmulti = on;
            case VirtioNet.CTRL_RX_ALLUNI -> filter.alluni = on;
            case VirtioNet.CTRL_RX_NOMULTI -> filter.nomulti = on;
            case VirtioNet.CTRL_RX_NOUNI -> filter.nouni = on;
            case VirtioNet.CTRL_RX_NOBCAST -> filter.nobcast = on;
            default -> {
                return Ack.ERR;
            }
        }
        return Ack.OK;
    }

    /** QEMU virtio_net_handle_mac. */
    private Ack mac(int cmd, byte[] d, int off, int len, long features) {
        if (cmd == VirtioNet.CTRL_MAC_ADDR_SET) {
            if (!VirtioFeatures.has(features, VirtioFeatures.NET_F_CTRL_MAC_ADDR)) {
                return Ack.ERR;
            }
            if (len != VirtioNet.ETH_ALEN) {
                return Ack.MALFORMED; // "iov_size(iov, iov_cnt) != sizeof(n->mac)": exactly six bytes
            }
            config.setMac(RxFilter.macAt(d, off));
            return Ack.OK;
        }
        if (cmd != VirtioNet.CTRL_MAC_TABLE_SET) {
            return Ack.ERR;
        }
        // The table is part of RX filtering: Linux sends it from virtnet_set_rx_mode, only with CTRL_RX.
        if (!VirtioFeatures.has(features, VirtioFeatures.NET_F_CTRL_RX)) {
            return Ack.ERR;
        }
        // Two virtio_net_ctrl_mac {le32 entries; u8 macs[entries][6]}: unicast then multicast. The
        // first may be followed by more bytes than it names (the second table); the second must end
        // the data exactly. A table over MAC_TABLE_ENTRIES (or over what the first left) is not
        // stored but sets the overflow flag, and the command still succeeds.
        long left = len;
        int at = off;
        if (left < U32) {
            return Ack.MALFORMED;
        }
        long uni = le32(d, at);
        at += U32;
        left -= U32;
        long uniBytes = uni * VirtioNet.ETH_ALEN; // < 2^35: no wrap in 64 bits
        if (uniBytes > left) {
            return Ack.MALFORMED;
        }
        int inUse = 0;
        boolean uniOverflow = uni > RxFilter.MAC_TABLE_ENTRIES;
        if (!uniOverflow) {
            System.arraycopy(d, at, staged, 0, (int) uniBytes);
            inUse = (int) uni;
        }
        at += (int) uniBytes;
        left -= uniBytes;
        int firstMulti = inUse;
        if (left < U32) {
            return Ack.MALFORMED;
        }
        long multi = le32(d, at);
        at += U32;
        left -= U32;
        long multiBytes = multi * VirtioNet.ETH_ALEN;
        if (multiBytes != left) {
            return Ack.MALFORMED;
        }
        boolean multiOverflow = multi > RxFilter.MAC_TABLE_ENTRIES - inUse;
        if (!multiOverflow) {
            System.arraycopy(d, at, staged, inUse * VirtioNet.ETH_ALEN, (int) multiBytes);
            inUse += (int) multi;
        }
        System.arraycopy(staged, 0, filter.macs, 0, inUse * VirtioNet.ETH_ALEN);
        filter.inUse = inUse;
        filter.firstMulti = firstMulti;
        filter.uniOverflow = uniOverflow;
        filter.multiOverflow = multiOverflow;
        return Ack.OK;
    }

    /** QEMU virtio_net_handle_vlan_table: le16 vid below 4096. */
    private Ack vlan(int cmd, byte[] d, int off, int len, long features) {
        if (!VirtioFeatures.has(features, VirtioFeatures.NET_F_CTRL_VLAN)) {
            return Ack.ERR;
        }
        if (len < U16) {
            return Ack.MALFORMED;
        }
        int vid = le16(d, off);
        if (vid >= VirtioNet.VLAN_IDS) {
            return Ack.ERR; // "if (vid >= MAX_VLAN)"
        }
        switch (cmd) {
            case VirtioNet.CTRL_VLAN_ADD -> filter.setVlan(vid, true);
            case VirtioNet.CTRL_VLAN_DEL -> filter.setVlan(vid, false);
            default -> {
                return Ack.ERR;
            }
        }
        return Ack.OK;
    }

    /** QEMU virtio_net_handle_announce: ACK succeeds only while an announcement is pending, and ends it. */
    private Ack announce(int cmd, long features) {
        if (!VirtioFeatures.has(features, VirtioFeatures.NET_F_GUEST_ANNOUNCE)
                || cmd != VirtioNet.CTRL_ANNOUNCE_ACK || !config.announcePending()) {
            return Ack.ERR;
        }
        config.setAnnounce(false);
        return Ack.OK;
    }

    /**
     * QEMU virtio_net_handle_mq: VQ_PAIRS_SET takes le16 pairs in [1, 0x8000] and at most the
     * device's max_virtqueue_pairs, with MQ negotiated. RSS_CONFIG and HASH_CONFIG answer ERR: QEMU
     * takes them only with VIRTIO_NET_F_RSS / HASH_REPORT, which this device does not offer.
     */
    private Ack mq(int cmd, byte[] d, int off, int len, long features) {
        if (cmd != VirtioNet.CTRL_MQ_VQ_PAIRS_SET || !VirtioFeatures.has(features, VirtioFeatures.NET_F_MQ)) {
            return Ack.ERR;
        }
        if (len < U16) {
            return Ack.MALFORMED;
        }
        int pairs = le16(d, off);
        if (pairs < VirtioNet.CTRL_MQ_VQ_PAIRS_MIN || pairs > VirtioNet.CTRL_MQ_VQ_PAIRS_MAX || pairs > maxPairs) {
            return Ack.ERR;
        }
        int from = filter.activePairs;
        filter.activePairs = pairs;
        pairsListener.pairsChanged(from, pairs);
        return Ack.OK;
    }

    /**
     * QEMU virtio_net_handle_offloads: le64 offloads with RSC_EXT cleared must be a subset of the
     * guest offloads negotiated (virtio_net_supported_guest_offloads).
     */
    private Ack offloads(int cmd, byte[] d, int off, int len, long features) {
        if (!VirtioFeatures.has(features, VirtioFeatures.NET_F_CTRL_GUEST_OFFLOADS)) {
            return Ack.ERR;
        }
        if (len < U64) {
            return Ack.MALFORMED;
        }
        if (cmd != VirtioNet.CTRL_GUEST_OFFLOADS_SET) {
            return Ack.ERR;
        }
        long offloads = le64(d, off) & ~VirtioFeatures.bit(VirtioFeatures.NET_F_RSC_EXT);
        long supported = RxFilter.GUEST_OFFLOADS_MASK & features;
        if ((offloads & ~supported) != 0) {
            return Ack.ERR;
        }
        filter.guestOffloads = offloads;
        return Ack.OK;
    }

    static int le16(byte[] d, int at) {
        return (d[at] & 0xff) | (d[at + 1] & 0xff) << 8;
    }

    static long le32(byte[] d, int at) {
        return (le16(d, at) | (long) le16(d, at + 2) << 16) & 0xffff_ffffL;
    }

    static long le64(byte[] d, int at) {
        return le32(d, at) | le32(d, at + 4) << 32;
    }
}
