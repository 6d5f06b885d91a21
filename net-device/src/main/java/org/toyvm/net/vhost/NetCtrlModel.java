package org.toyvm.net.vhost;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.toyvm.net.device.VirtioNetState;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;

/**
 * What QEMU's virtio-net device model ({@code VirtIONet}, hw/net/virtio-net.c) remembers of the
 * guest's control commands, which {@code vhost_vdpa_net_load} replays into the device at every start:
 * the MAC, {@code curr_queue_pairs}, the RX mode flags, the MAC table, the VLAN filter and the guest
 * offloads. {@link #apply} is {@code virtio_net_handle_ctrl_iov} for a command the device has already
 * acked VIRTIO_NET_OK ({@code vhost_vdpa_net_handle_ctrl_avail} calls it only then), so it reads each
 * field at its spec width and refuses, unchanged, what QEMU's handlers refuse; {@link #reset} is
 * {@code virtio_net_reset} (promiscuous on, everything else off and empty, one queue pair).
 */
final class NetCtrlModel {
    static final int MAC_TABLE_ENTRIES = 64;
    /** virtio_net_supported_guest_offloads: the guest offload feature bits. */
    static final long GUEST_OFFLOADS = VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_CSUM)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_TSO4) | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_TSO6)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_ECN) | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_UFO)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_USO4) | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_USO6);

    private final long defaultMac;
    long mac;
    int currQueuePairs = 1;
    boolean promisc = true;
    boolean allmulti;
    boolean alluni;
    boolean nomulti;
    boolean nouni;
    boolean nobcast;
    int macInUse;
    int firstMulti;
    boolean uniOverflow;
    boolean multiOverflow;
    final byte[] macs = new byte[MAC_TABLE_ENTRIES * VirtioNet.ETH_ALEN];
    final BitSet vlans = new BitSet(VirtioNet.VLAN_IDS);
    long currGuestOffloads;
    private long features;

    NetCtrlModel(long defaultMac) {
        this.defaultMac = defaultMac;
        this.mac = defaultMac;
    }

    /** virtio_net_reset: the state a device has after reset. */
    void reset() {
        mac = defaultMac;
        currQueuePairs = 1;
        promisc = true;
        allmulti = false;
        alluni = false;
        nomulti = false;
        nouni = false;
        nobcast = false;
        macInUse = 0;
        firstMulti = 0;
        uniOverflow = false;
        multiOverflow = false;
        vlans.clear();
        features = 0;
        currGuestOffloads = 0;
    }

    /** virtio_net_set_features: the negotiated features; every supported guest offload on. */
    void setFeatures(long f) {
        features = f;
        currGuestOffloads = f & GUEST_OFFLOADS;
    }

    long features() {
        return features;
    }

    boolean has(int feature) {
        return VirtioFeatures.has(features, feature);
    }

    /**
     * virtio_net_handle_ctrl_iov for {@code cmd[0, len)} ({u8 class; u8 cmd; data}): answers whether
     * the model took it (VIRTIO_NET_OK); a refused command changes nothing.
     */
    boolean apply(byte[] cmd, int len) {
        if (len < VirtioNet.CTRL_HDR_SIZE) {
            return false;
        }
        int cls = cmd[0] & 0xff;
        int c = cmd[1] & 0xff;
        int off = VirtioNet.CTRL_HDR_SIZE;
        int n = len - off;
        switch (cls) {
            case VirtioNet.CTRL_RX:
                return rxMode(c, cmd, off, n);
            case VirtioNet.CTRL_MAC:
                return mac(c, cmd, off, n);
            case VirtioNet.CTRL_VLAN:
                return vlan(c, cmd, off, n);
            case VirtioNet.CTRL_MQ:
                return mq(c, cmd, off, n);
            case VirtioNet.CTRL_GUEST_OFFLOADS:
                return offloads(c, cmd, off, n);
            default:
                return false; // ANNOUNCE: no announcement pending (QEMU raises none here); unknown classes
        }
    }

    /** virtio_net_handle_rx_mode: exactly one byte. */
    private boolean rxMode(int c, byte[] d, int off, int n) {
        if (n != 1) {
            return false;
        }
        boolean on = d[off] != 0;
        switch (c) {
            case VirtioNet.CTRL_RX_PROMISC -> promisc = on;
            case VirtioNet.CTRL_RX_ALLMULTI -> allmulti = on;
            case VirtioNet.CTRL_RX_ALLUNI -> alluni = on;
            case VirtioNet.CTRL_RX_NOMULTI -> nomulti = on;
            case VirtioNet.CTRL_RX_NOUNI -> nouni = on;
            case VirtioNet.CTRL_RX_NOBCAST -> nobcast = on;
            default -> {
                return false;
            }
        }
        return true;
    }

    /** virtio_net_handle_mac: ADDR_SET of six bytes; TABLE_SET of two {le32 entries; macs}, overflow flagged. */
    private boolean mac(int c, byte[] d, int off, int n) {
        if (c == VirtioNet.CTRL_MAC_ADDR_SET) {
            if (n != VirtioNet.ETH_ALEN) {
                return false;
            }
            long m = 0;
            for (int i = 0; i < VirtioNet.ETH_ALEN; i++) {
                m = (m << 8) | (d[off + i] & 0xff);
            }
            mac = m;
            return true;
        }
        if (c != VirtioNet.CTRL_MAC_TABLE_SET || n < Integer.BYTES) {
            return false;
        }
        long uni = le32(d, off);
        long uniBytes = uni * VirtioNet.ETH_ALEN;
        if (uniBytes > n - Integer.BYTES - Integer.BYTES) {
            return false;
        }
        int at = off + Integer.BYTES + (int) uniBytes;
        long multi = le32(d, at);
        long multiBytes = multi * VirtioNet.ETH_ALEN;
        if (multiBytes != n - Integer.BYTES - uniBytes - Integer.BYTES) {
            return false;
        }
        int inUse = 0;
        boolean uo = uni > MAC_TABLE_ENTRIES;
        byte[] staged = new byte[macs.length];
        if (!uo) {
            System.arraycopy(d, off + Integer.BYTES, staged, 0, (int) uniBytes);
            inUse = (int) uni;
        }
        int fm = inUse;
        boolean mo = multi > MAC_TABLE_ENTRIES - inUse;
        if (!mo) {
            System.arraycopy(d, at + Integer.BYTES, staged, inUse * VirtioNet.ETH_ALEN, (int) multiBytes);
            inUse += (int) multi;
        }
        System.arraycopy(staged, 0, macs, 0, staged.length);
        macInUse = inUse;
        firstMulti = fm;
        uniOverflow = uo;
        multiOverflow = mo;
        return true;
    }

    /** virtio_net_handle_vlan_table: le16 vid below 4096. */
    private boolean vlan(int c, byte[] d, int off, int n) {
        if (n != Short.BYTES) {
            return false;
        }
        int vid = le16(d, off);
        if (vid >= VirtioNet.VLAN_IDS) {
            return false;
        }
        switch (c) {
            case VirtioNet.CTRL_VLAN_ADD -> vlans.set(vid);
            case VirtioNet.CTRL_VLAN_DEL -> vlans.clear(vid);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** virtio_net_handle_mq: VQ_PAIRS_SET of le16 pairs in [1, 0x8000], MQ negotiated. */
    private boolean mq(int c, byte[] d, int off, int n) {
        if (c != VirtioNet.CTRL_MQ_VQ_PAIRS_SET || n != Short.BYTES || !has(VirtioFeatures.NET_F_MQ)) {
            return false;
        }
        int pairs = le16(d, off);
        if (pairs < VirtioNet.CTRL_MQ_VQ_PAIRS_MIN || pairs > VirtioNet.CTRL_MQ_VQ_PAIRS_MAX) {
            return false;
        }
        currQueuePairs = pairs;
        return true;
    }

    /** virtio_net_handle_offloads: le64, a subset of the supported guest offloads. */
    private boolean offloads(int c, byte[] d, int off, int n) {
        if (c != VirtioNet.CTRL_GUEST_OFFLOADS_SET || n != Long.BYTES
                || !has(VirtioFeatures.NET_F_CTRL_GUEST_OFFLOADS)) {
            return false;
        }
        long o = le32(d, off) | le32(d, off + Integer.BYTES) << 32;
        o &= ~VirtioFeatures.bit(VirtioFeatures.NET_F_RSC_EXT);
        if ((o & ~(features & GUEST_OFFLOADS)) != 0) {
            return false;
        }
        currGuestOffloads = o;
        return true;
    }

    /** What virtio-net's vmstate carries of this model (vmstate_virtio_net_device). */
    VirtioNetState.Ctrl save() {
        List<Long> table = new ArrayList<>();
        for (int i = 0; i < macInUse; i++) {
            long m = 0;
            for (int b = 0; b < VirtioNet.ETH_ALEN; b++) {
                m = (m << 8) | (macs[i * VirtioNet.ETH_ALEN + b] & 0xff);
            }
            table.add(m);
        }
        List<Integer> ids = new ArrayList<>();
        for (int v = vlans.nextSetBit(0); v >= 0; v = vlans.nextSetBit(v + 1)) {
            ids.add(v);
        }
        return new VirtioNetState.Ctrl(mac, currQueuePairs, promisc, allmulti, alluni, nomulti, nouni, nobcast, table,
                firstMulti, uniOverflow, multiOverflow, ids, currGuestOffloads);
    }

    /**
     * The destination's load of {@code c} for negotiated {@code features} (virtio_net_post_load_device);
     * {@code c} already passed {@link VirtioNetState#check}. Offloads the features do not allow are
     * refused (answers why; nothing changed), else answers null.
     */
    String load(VirtioNetState.Ctrl c, long driverFeatures) {
        if ((c.currGuestOffloads() & ~(driverFeatures & GUEST_OFFLOADS)) != 0) {
            return "virtio-net: curr_guest_offloads 0x" + Long.toHexString(c.currGuestOffloads())
                    + " not within the negotiated offloads";
        }
        setFeatures(driverFeatures);
        mac = c.mac();
        currQueuePairs = c.currQueuePairs();
        promisc = c.promisc();
        allmulti = c.allmulti();
        alluni = c.alluni();
        nomulti = c.nomulti();
        nouni = c.nouni();
        nobcast = c.nobcast();
        java.util.Arrays.fill(macs, (byte) 0);
        for (int i = 0; i < c.macTable().size(); i++) {
            long m = c.macTable().get(i);
            for (int b = 0; b < VirtioNet.ETH_ALEN; b++) {
                macs[i * VirtioNet.ETH_ALEN + b] = (byte) (m >>> (8 * (VirtioNet.ETH_ALEN - 1 - b)));
            }
        }
        macInUse = c.macTable().size();
        firstMulti = c.firstMulti();
        uniOverflow = c.uniOverflow();
        multiOverflow = c.multiOverflow();
        vlans.clear();
        c.vlans().forEach(vlans::set);
        currGuestOffloads = c.currGuestOffloads();
        return null;
    }

    static int le16(byte[] d, int at) {
        return (d[at] & 0xff) | (d[at + 1] & 0xff) << 8;
    }

    static long le32(byte[] d, int at) {
        return (le16(d, at) | (long) le16(d, at + 2) << 16) & 0xffff_ffffL;
    }
}
