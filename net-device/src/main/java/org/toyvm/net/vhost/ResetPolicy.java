package org.toyvm.net.vhost;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What the VMM does with its IOTLB mappings when the guest resets the device. */
public enum ResetPolicy {
    /** QEMU upstream: never acks IOTLB_PERSIST; unmaps everything at reset, maps everything at DRIVER_OK. */
    LEGACY("legacy"),
    /** Acks IOTLB_PERSIST when offered and then keeps mappings across reset; otherwise behaves as legacy. */
    PERSIST("persist"),
    /** Never acks IOTLB_PERSIST and never unmaps across reset: the shortcut the kernel change made safe. */
    NAIVE("naive");

    private final String label;

    ResetPolicy(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static ResetPolicy parse(String s) {
        for (ResetPolicy p : values()) {
            if (p.label.equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("bad policy '" + s + "': expected one of "
                + Arrays.stream(values()).map(ResetPolicy::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
