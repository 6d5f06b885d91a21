package org.toyvm.vdpa.bus;

/**
 * How an mlx5_vdpa parent is built where the kernel version alone does not say: the patches of one
 * series that a measurement had or lacked. Given to {@code VdpaParents.create}; without it a parent
 * is built as its kernel version ships ({@link #of(KernelVersion)}).
 *
 * @param parallelMkeys the direct MKEYs of an MR are created and destroyed in parallel (firmware async
 *     commands: "vdpa/mlx5: Create direct MKEYs in parallel", 0071b138d44a, and "Delete direct MKEYs in
 *     parallel", 6.12). Off, a 6.12 parent is the first row of Dragos Tatulea's table (3140 / 3630 ms:
 *     6.12's parallel suspend/resume, the MKEY code still serial).
 * @param deferMrDeletion an MR replaced by {@code set_map}, {@code reset_map} or a cleaning reset is
 *     put on the {@code mlx5_vdpa_mr_gc} workqueue ({@code _mlx5_vdpa_put_mr} →
 *     {@code queue_delayed_work(..., MLX5_VDPA_MR_GC_TRIGGER_MS = 2000)}, drivers/vdpa/mlx5/core/mr.c,
 *     "vdpa/mlx5: Postpone MR deletion", 6.12) instead of destroyed on the caller's path. Off, a 6.12
 *     parent is the middle row of Dragos Tatulea's table ("Optimze MKEY operations", 2024-08-21:
 *     parallel MKEY creation and deletion, deletion still inline: 1200 / 2000 ms against 1014 / 1253 ms
 *     with the deferral).
 */
public record Mlx5Options(boolean parallelMkeys, boolean deferMrDeletion) {
    /**
     * As {@code version} ships: parallel MKEYs ({@link KernelVersion#mlx5ParallelMkeys()}) and deferred MR
     * deletion ({@link KernelVersion#mlx5DeferredMrDeletion()}) from 6.12.
     */
    public static Mlx5Options of(KernelVersion version) {
        return new Mlx5Options(version.mlx5ParallelMkeys(), version.mlx5DeferredMrDeletion());
    }

    /**
     * As {@code version} ships, but every replaced MR destroyed where it is replaced: 6.12 without
     * "Postpone MR deletion", or any earlier kernel.
     */
    public static Mlx5Options inlineMrDeletion(KernelVersion version) {
        return new Mlx5Options(version.mlx5ParallelMkeys(), false);
    }

    /** 6.12 before its MKEY series: MKEYs created and destroyed one by one, deleted inline. */
    public static Mlx5Options serialMkeys() {
        return new Mlx5Options(false, false);
    }

    /** In words, for reports: "serial MKEYs, inline MR deletion" and so on. */
    public String describe() {
        return (parallelMkeys ? "parallel" : "serial") + " MKEYs, " + (deferMrDeletion ? "deferred" : "inline")
                + " MR deletion";
    }
}
