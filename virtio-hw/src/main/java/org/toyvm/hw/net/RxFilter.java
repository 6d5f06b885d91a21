package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;

/**
 * The state the driver sets through the control queue and the datapath consults: the RX mode flags,
 * the MAC filter table, the VLAN filter, the active queue pairs and the current guest offloads. It
 * follows QEMU's {@code VirtIONet} fields (hw/net/virtio-net.c): reset values from
 * {@code virtio_net_reset}, the VLAN and offload defaults from {@code virtio_net_set_features}, the
 * frame test from {@code receive_filter}.
 *
 * <p>After reset the device is promiscuous ({@code virtio_net_reset}: "n->promisc = 1; for
 * compatibility"), so a driver that never sends a control command sees every frame, as before
 * the control queue was real.
 */
public final class RxFilter {
    /** QEMU's MAC_TABLE_ENTRIES: more entries than this in a table set the overflow flag instead. */
    public static final int MAC_TABLE_ENTRIES = 64;
    private static final int VLAN_WORDS = VirtioNet.VLAN_IDS / Long.SIZE;
    private static final int TPID_8021Q = 0x8100;
    private static final int ETH_TYPE_OFFSET = 12;
    private static final int VLAN_TCI_OFFSET = 14;
    private static final int VID_MASK = 0xfff;
    /** The guest offloads a GUEST_OFFLOADS_SET may name (QEMU virtio_net_guest_offloads_by_features). */
    static final long GUEST_OFFLOADS_MASK = VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_CSUM)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_TSO4) | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_TSO6)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_ECN) | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_UFO)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_USO4) | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_USO6);

    boolean promisc;
    boolean allmulti;
    boolean alluni;
    boolean nomulti;
    boolean nouni;
    boolean nobcast;
    /** Unicast entries [0, firstMulti), multicast entries [firstMulti, inUse), 6 bytes each. */
    final byte[] macs = new byte[MAC_TABLE_ENTRIES * VirtioNet.ETH_ALEN];
    int inUse;
    int firstMulti;
    boolean uniOverflow;
    boolean multiOverflow;
    final long[] vlans = new long[VLAN_WORDS];
    int activePairs;
    long guestOffloads;

    RxFilter() {
        reset();
    }

    /** Device reset (QEMU virtio_net_reset): promiscuous, empty MAC table, no VLANs, one queue pair. */
    void reset() {
        promisc = true;
        allmulti = false;
        alluni = false;
        nomulti = false;
        nouni = false;
        nobcast = false;
        Arrays.fill(macs, (byte) 0);
        inUse = 0;
        firstMulti = 0;
        uniOverflow = false;
        multiOverflow = false;
        Arrays.fill(vlans, 0);
        activePairs = 1;
        guestOffloads = 0;
    }

    /**
     * The driver's features are set (QEMU virtio_net_set_features): without CTRL_VLAN every VLAN
     * passes, with it none until added; the current guest offloads are all the negotiated ones.
     */
    void featuresSet(long features) {
        Arrays.fill(vlans, VirtioFeatures.has(features, VirtioFeatures.NET_F_CTRL_VLAN) ? 0 : -1L);
        guestOffloads = features & GUEST_OFFLOADS_MASK;
    }

    void setVlan(int vid, boolean on) {
        if (on) {
            vlans[vid >>> 6] |= 1L << (vid & 63);
        } else {
            vlans[vid >>> 6] &= ~(1L << (vid & 63));
        }
    }

    public boolean promisc() {
        return promisc;
    }

    public boolean allmulti() {
        return allmulti;
    }

    public boolean alluni() {
        return alluni;
    }

    public boolean nomulti() {
        return nomulti;
    }

    public boolean nouni() {
        return nouni;
    }

    public boolean nobcast() {
        return nobcast;
    }

    public int macTableEntries() {
        return inUse;
    }

    public int macTableUnicastEntries() {
        return firstMulti;
    }

    public boolean unicastOverflow() {
        return uniOverflow;
    }

    public boolean multicastOverflow() {
        return multiOverflow;
    }

    /** The MAC table entry {@code i} (0 ≤ i < {@link #macTableEntries()}) as a 48-bit number. */
    public long macTableEntry(int i) {
        if (i < 0 || i >= inUse) {
            throw new IndexOutOfBoundsException(i);
        }
        return macAt(macs, i * VirtioNet.ETH_ALEN);
    }

    public boolean vlanAllowed(int vid) {
        return vid >= 0 && vid < VirtioNet.VLAN_IDS && (vlans[vid >>> 6] & (1L << (vid & 63))) != 0;
    }

    /** The queue pairs the driver enabled (VQ_PAIRS_SET); 1 after reset. */
    public int activePairs() {
        return activePairs;
    }

    /** The guest offloads in force (feature-bit mask). */
    public long guestOffloads() {
        return guestOffloads;
    }

    static long macAt(byte[] b, int off) {
        long m = 0;
        for (int i = 0; i < VirtioNet.ETH_ALEN; i++) {
            m = m << 8 | (b[off + i] & 0xff);
        }
        return m;
    }

    /**
     * Whether a frame from the wire reaches the guest (QEMU receive_filter): promiscuous passes all;
     * an 802.1Q tag whose VLAN is not in the filter drops it; broadcast passes unless NOBCAST;
     * multicast by NOMULTI, ALLMULTI, overflow or the table; unicast by NOUNI, ALLUNI, overflow, the
     * device's own MAC ({@code mac}) or the table. The frame is at least an Ethernet header long.
     */
    boolean accepts(ByteBuf frame, long mac) {
        if (promisc) {
            return true;
        }
        int at = frame.readerIndex();
        if (frame.readableBytes() >= VLAN_TCI_OFFSET + 2 && frame.getUnsignedShort(at + ETH_TYPE_OFFSET) == TPID_8021Q
                && !vlanAllowed(frame.getUnsignedShort(at + VLAN_TCI_OFFSET) & VID_MASK)) {
            return false;
        }
        long dst = (long) frame.getUnsignedMedium(at) << 24 | frame.getUnsignedMedium(at + 3);
        if ((dst & (1L << 40)) != 0) { // the group bit: first byte's lowest bit
            if (dst == 0xffff_ffff_ffffL) {
                return !nobcast;
            }
            if (nomulti) {
                return false;
            }
            return allmulti || multiOverflow || inTable(dst, firstMulti, inUse);
        }
        if (nouni) {
            return false;
        }
        return alluni || uniOverflow || dst == mac || inTable(dst, 0, firstMulti);
    }

    private boolean inTable(long dst, int from, int to) {
        for (int i = from; i < to; i++) {
            if (macAt(macs, i * VirtioNet.ETH_ALEN) == dst) {
                return true;
            }
        }
        return false;
    }
}
