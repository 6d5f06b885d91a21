package org.toyvm.vdpa.bus;

/**
 * How an mlx5_vdpa parent is built where the kernel version alone does not say: the patches of one
 * series that a measurement had or lacked. Given to {@code VdpaParents.create}; without it a parent
 * is built as its kernel version ships ({@link #of(KernelVersion)}).
 *
 * @param deferMrDeletion an MR replaced by {@code set_map}, {@code reset_map} or a cleaning reset is
 *     put on the {@code mlx5_vdpa_mr_gc} workqueue ({@code _mlx5_vdpa_put_mr} →
 *     {@code queue_delayed_work(..., MLX5_VDPA_MR_GC_TRIGGER_MS = 2000)}, drivers/vdpa/mlx5/core/mr.c,
 *     "vdpa/mlx5: Postpone MR deletion", 6.12) instead of destroyed on the caller's path. Off, a 6.12
 *     parent is the middle row of Dragos Tatulea's table ("Optimze MKEY operations", 2024-08-21:
 *     parallel MKEY creation and deletion, deletion still inline: 1200 / 2000 ms against 1014 / 1253 ms
 *     with the deferral).
 */
public record Mlx5Options(boolean deferMrDeletion) {
    /** As {@code version} ships: deferred MR deletion from 6.12 ({@link KernelVersion#mlx5DeferredMrDeletion()}). */
    public static Mlx5Options of(KernelVersion version) {
        return new Mlx5Options(version.mlx5DeferredMrDeletion());
    }

    /** Every replaced MR destroyed where it is replaced: 6.12 without "Postpone MR deletion", or any earlier kernel. */
    public static Mlx5Options inlineMrDeletion() {
        return new Mlx5Options(false);
    }
}
