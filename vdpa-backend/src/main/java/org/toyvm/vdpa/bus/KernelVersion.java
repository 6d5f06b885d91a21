package org.toyvm.vdpa.bus;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The kernel generation whose vhost-vdpa semantics the model follows. */
public enum KernelVersion {
    /** Before "vdpa: decouple reset of iotlb mapping from device reset": no IOTLB_PERSIST, every reset plain. */
    V6_6("6.6"),
    /** IOTLB_PERSIST offered with has_persistent_map; compat_reset(CLEAN_MAP) unless acked; reset_map on release. */
    V6_7("6.7");

    private final String label;

    KernelVersion(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean hasIotlbPersist() {
        return this == V6_7;
    }

    /** Parses "6.6" or "6.7", with an error naming the accepted values. */
    public static KernelVersion parse(String s) {
        for (KernelVersion k : values()) {
            if (k.label.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("bad kernel '" + s + "': expected one of "
                + Arrays.stream(values()).map(KernelVersion::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
