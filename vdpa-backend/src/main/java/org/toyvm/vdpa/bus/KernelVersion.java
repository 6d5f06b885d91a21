package org.toyvm.vdpa.bus;

import org.toyvm.core.units.Labelled;

/** The kernel generation whose vhost-vdpa semantics the model follows. */
public enum KernelVersion implements Labelled {
    /** Before "vdpa: decouple reset of iotlb mapping from device reset": no IOTLB_PERSIST, every reset plain. */
    V6_6("6.6"),
    /** IOTLB_PERSIST offered with has_persistent_map; compat_reset(CLEAN_MAP) unless acked; reset_map on release. */
    V6_7("6.7");

    private final String label;

    KernelVersion(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    public boolean hasIotlbPersist() {
        return this == V6_7;
    }

    /** Parses a label, with an error naming the value and every label accepted. */
    public static KernelVersion parse(String s) {
        return Labelled.parse(KernelVersion.class, "kernel", s);
    }

    @Override
    public String toString() {
        return label;
    }
}
