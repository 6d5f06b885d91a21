package org.toyvm.vdpa.bus;

import org.toyvm.core.units.Labelled;

/** The three kinds of vDPA parent driver the model has. */
public enum ParentKind implements Labelled {
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

    @Override
    public String label() {
        return label;
    }

    /** Parses a label, with an error naming the value and every label accepted. */
    public static ParentKind parse(String s) {
        return Labelled.parse(ParentKind.class, "parent", s);
    }

    @Override
    public String toString() {
        return label;
    }
}
