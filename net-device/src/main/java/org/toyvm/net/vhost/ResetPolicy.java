package org.toyvm.net.vhost;

import org.toyvm.core.units.Labelled;

/**
 * What the VMM does with its IOTLB mappings when the guest resets the device, on top of the order of
 * the chosen {@link QemuVersion}: the one decision is whether a reset that would unregister the
 * memory listener (in vhost_vdpa_reset_status before 10.1, in every vhost_vdpa_reset_device from
 * 10.1) does.
 */
public enum ResetPolicy implements Labelled {
    /** QEMU upstream: never acks IOTLB_PERSIST; unmaps everything at reset, maps everything at DRIVER_OK. */
    LEGACY("legacy"),
    /**
     * Si-Wei Liu's unmerged series: acks IOTLB_PERSIST when offered and then keeps mappings across reset;
     * otherwise behaves as legacy.
     */
    PERSIST("persist"),
    /** Never acks IOTLB_PERSIST and never unmaps across reset: the shortcut the kernel change made safe. */
    NAIVE("naive");

    private final String label;

    ResetPolicy(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Parses a label, with an error naming the value and every label accepted. */
    public static ResetPolicy parse(String s) {
        return Labelled.parse(ResetPolicy.class, "policy", s);
    }

    @Override
    public String toString() {
        return label;
    }
}
