package org.toyvm.core.virtio;

import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** Feature bit numbers (virtio 1.x §6, §5.1.3) and mask helpers. */
public final class VirtioFeatures {
    // virtio-net
    public static final int NET_F_CSUM = 0;
    public static final int NET_F_GUEST_CSUM = 1;
    public static final int NET_F_CTRL_GUEST_OFFLOADS = 2;
    public static final int NET_F_MTU = 3;
    public static final int NET_F_MAC = 5;
    public static final int NET_F_GUEST_TSO4 = 7;
    public static final int NET_F_GUEST_TSO6 = 8;
    public static final int NET_F_GUEST_ECN = 9;
    public static final int NET_F_GUEST_UFO = 10;
    public static final int NET_F_MRG_RXBUF = 15;
    public static final int NET_F_STATUS = 16;
    public static final int NET_F_CTRL_VQ = 17;
    public static final int NET_F_CTRL_RX = 18;
    public static final int NET_F_CTRL_VLAN = 19;
    public static final int NET_F_CTRL_RX_EXTRA = 20;
    public static final int NET_F_GUEST_ANNOUNCE = 21;
    public static final int NET_F_MQ = 22;
    public static final int NET_F_CTRL_MAC_ADDR = 23;
    public static final int NET_F_GUEST_USO4 = 54;
    public static final int NET_F_GUEST_USO6 = 55;
    /** Cleared from a GUEST_OFFLOADS_SET before its subset check (QEMU virtio_net_handle_offloads). */
    public static final int NET_F_RSC_EXT = 61;
    // transport / ring
    public static final int F_NOTIFY_ON_EMPTY = 24;
    public static final int F_ANY_LAYOUT = 27;
    public static final int RING_F_INDIRECT_DESC = 28;
    public static final int RING_F_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;
    public static final int F_ACCESS_PLATFORM = 33;
    public static final int F_RING_PACKED = 34;
    public static final int F_IN_ORDER = 35;
    public static final int F_ORDER_PLATFORM = 36;

    private static final Map<Integer, String> NAMES = new TreeMap<>(Map.ofEntries(
            Map.entry(NET_F_CSUM, "CSUM"), Map.entry(NET_F_GUEST_CSUM, "GUEST_CSUM"), Map.entry(NET_F_MTU, "MTU"),
            Map.entry(NET_F_MAC, "MAC"), Map.entry(NET_F_MRG_RXBUF, "MRG_RXBUF"), Map.entry(NET_F_STATUS, "STATUS"),
            Map.entry(NET_F_CTRL_VQ, "CTRL_VQ"), Map.entry(NET_F_CTRL_RX, "CTRL_RX"),
            Map.entry(NET_F_CTRL_VLAN, "CTRL_VLAN"), Map.entry(NET_F_GUEST_ANNOUNCE, "GUEST_ANNOUNCE"),
            Map.entry(NET_F_MQ, "MQ"), Map.entry(NET_F_CTRL_MAC_ADDR, "CTRL_MAC_ADDR"),
            Map.entry(NET_F_CTRL_GUEST_OFFLOADS, "CTRL_GUEST_OFFLOADS"), Map.entry(NET_F_GUEST_TSO4, "GUEST_TSO4"),
            Map.entry(NET_F_GUEST_TSO6, "GUEST_TSO6"), Map.entry(NET_F_GUEST_ECN, "GUEST_ECN"),
            Map.entry(NET_F_GUEST_UFO, "GUEST_UFO"), Map.entry(NET_F_CTRL_RX_EXTRA, "CTRL_RX_EXTRA"),
            Map.entry(NET_F_GUEST_USO4, "GUEST_USO4"), Map.entry(NET_F_GUEST_USO6, "GUEST_USO6"),
            Map.entry(NET_F_RSC_EXT, "RSC_EXT"),
            Map.entry(F_NOTIFY_ON_EMPTY, "NOTIFY_ON_EMPTY"), Map.entry(F_ANY_LAYOUT, "ANY_LAYOUT"),
            Map.entry(RING_F_INDIRECT_DESC, "INDIRECT_DESC"), Map.entry(RING_F_EVENT_IDX, "EVENT_IDX"),
            Map.entry(F_VERSION_1, "VERSION_1"), Map.entry(F_ACCESS_PLATFORM, "ACCESS_PLATFORM"),
            Map.entry(F_RING_PACKED, "RING_PACKED"), Map.entry(F_IN_ORDER, "IN_ORDER"),
            Map.entry(F_ORDER_PLATFORM, "ORDER_PLATFORM")));

    private VirtioFeatures() {
    }

    public static long bit(int n) {
        return 1L << n;
    }

    public static boolean has(long mask, int bit) {
        return (mask & (1L << bit)) != 0;
    }

    /** Names of the bits in {@code mask}, lowest first ("BIT_n" for unnamed ones). */
    public static String describe(long mask) {
        StringJoiner j = new StringJoiner("|");
        for (int b = 0; b < 64; b++) {
            if (has(mask, b)) {
                j.add(NAMES.getOrDefault(b, "BIT_" + b));
            }
        }
        return j.length() == 0 ? "0" : j.toString();
    }
}
