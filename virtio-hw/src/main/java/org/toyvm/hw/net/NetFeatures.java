package org.toyvm.hw.net;

import org.toyvm.core.virtio.VirtioFeatures;

/**
 * The NIC's feature bits: what the device offers and what the driver acked of it (virtio 1.2 §2.2;
 * an acked bit the device does not offer is dropped, as a device keeps only what it knows).
 */
final class NetFeatures {
    /**
     * What the hardware offers: VERSION_1, ACCESS_PLATFORM, MAC, MTU, STATUS, INDIRECT_DESC, EVENT_IDX,
     * and the control queue with the commands {@link CtrlCommands} answers: CTRL_VQ, CTRL_RX,
     * CTRL_VLAN, CTRL_MAC_ADDR, GUEST_ANNOUNCE, MQ (max_virtqueue_pairs is the pair count). Not
     * CTRL_RX_EXTRA nor CTRL_GUEST_OFFLOADS: the device has no guest offloads to switch.
     */
    static final long OFFERED = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1)
            | VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM) | VirtioFeatures.bit(VirtioFeatures.NET_F_MAC)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MTU) | VirtioFeatures.bit(VirtioFeatures.NET_F_STATUS)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VQ) | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_RX)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VLAN) | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_MAC_ADDR)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_ANNOUNCE) | VirtioFeatures.bit(VirtioFeatures.NET_F_MQ)
            | VirtioFeatures.bit(VirtioFeatures.RING_F_INDIRECT_DESC)
            | VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX);

    private final long offered;
    private long acked;

    NetFeatures(long offered) {
        this.offered = offered;
    }

    long offered() {
        return offered;
    }

    long acked() {
        return acked;
    }

    /** The driver's features, kept as far as the device offers them; answers the acked set. */
    long ack(long features) {
        acked = features & offered;
        return acked;
    }

    void clear() {
        acked = 0;
    }

    boolean has(int feature) {
        return VirtioFeatures.has(acked, feature);
    }
}
