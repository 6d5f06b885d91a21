package org.toyvm.vdpa.parent;

import java.util.Objects;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.Mlx5Options;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.bus.VdpaParent;

/** The vdpa bus's parent drivers: creates the parent of a kind in front of a piece of hardware. */
public final class VdpaParents {
    private VdpaParents() {
    }

    /** The parent as its module ships ({@link ParentSpec#shipped}): vdpa_sim with batch_mapping and use_va on. */
    public static VdpaParent create(ParentKind kind, VirtioNetHardware hw, KernelVersion version, CostMeter meter,
            KernelCounters counters) {
        return create(ParentSpec.shipped(kind), hw, version, meter, counters);
    }

    /**
     * The parent of {@code spec}, its module options resolved against {@code version}; an mlx5 parent as
     * {@code version} ships it ({@link Mlx5Options#of}).
     */
    public static VdpaParent create(ParentSpec spec, VirtioNetHardware hw, KernelVersion version, CostMeter meter,
            KernelCounters counters) {
        return create(spec, Mlx5Options.of(version), hw, version, meter, counters);
    }

    /** The parent of {@code spec}; an mlx5 parent built with {@code mlx5} (ignored by the other kinds). */
    public static VdpaParent create(ParentSpec spec, Mlx5Options mlx5, VirtioNetHardware hw, KernelVersion version,
            CostMeter meter, KernelCounters counters) {
        Objects.requireNonNull(mlx5, "mlx5");
        return switch (spec.kind()) {
            case PLATFORM -> new PlatformIommuParent(hw, version, meter, counters);
            case MLX5 -> new Mlx5Parent(hw, version, meter, counters, mlx5);
            case VDPA_SIM -> new VdpaSimParent(hw, version, meter, counters, spec.batched(), spec.usesVa(version));
        };
    }
}
