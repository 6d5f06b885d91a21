package org.toyvm.vdpa.bus;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The three kinds of vDPA parent driver the model has. */
public enum ParentKind {
    /** No set_map/dma_map: vhost-vdpa maps through a platform IOMMU domain, entry by entry. */
    PLATFORM("platform"),
    /** On-chip IOMMU, mlx5_vdpa style: set_map with the whole table builds a memory region (MR). */
    MLX5("mlx5"),
    /** vdpa_sim style: dma_map/dma_unmap into a per-ASID table inside the parent. */
    VDPA_SIM("vdpa-sim");

    private final String label;

    ParentKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static ParentKind parse(String s) {
        for (ParentKind k : values()) {
            if (k.label.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("bad parent '" + s + "': expected one of "
                + Arrays.stream(values()).map(ParentKind::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
