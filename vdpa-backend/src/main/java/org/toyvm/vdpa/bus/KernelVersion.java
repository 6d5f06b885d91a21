package org.toyvm.vdpa.bus;

import org.toyvm.core.units.Labelled;

/**
 * The kernel generation whose vhost-vdpa, vdpa_sim and mlx5_vdpa semantics the model follows, as a
 * timeline: each constant is the first release of a change the model knows, and a later constant has
 * every change of the earlier ones. The predicates say which changes a generation has; nothing else
 * compares versions. docs/linux-vhost-vdpa.md has the timeline with the commits.
 */
public enum KernelVersion implements Labelled {
    /** The pre-series behaviour: no IOTLB_PERSIST, reset_map, compat_reset, DESC_ASID or RESUME; no vq checks. */
    V6_1("6.1"),
    /** Before "vdpa: decouple reset of iotlb mapping from device reset": no IOTLB_PERSIST, every reset plain. */
    V6_6("6.6"),
    /** IOTLB_PERSIST offered with has_persistent_map; compat_reset(CLEAN_MAP) unless acked; reset_map on release; DESC_ASID. */
    V6_7("6.7"),
    /** vq address/base refused while DRIVER_OK and not suspended, vring num above the maximum refused; mlx5 resumable VQs. */
    V6_8("6.8"),
    /** mlx5 virtqueues pre-created at device add. */
    V6_11("6.11"),
    /** mlx5 parallel MKEY create/destroy with deferred deletion; parallel suspend/resume. */
    V6_12("6.12");

    private final String label;

    KernelVersion(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** This generation has every change {@code other} has. */
    public boolean atLeast(KernelVersion other) {
        return compareTo(other) >= 0;
    }

    /** VHOST_BACKEND_F_IOTLB_PERSIST, {@code reset_map}, {@code compat_reset} (the 6.7 series). */
    public boolean hasIotlbPersist() {
        return atLeast(V6_7);
    }

    /** VHOST_BACKEND_F_DESC_ASID and {@code get_vq_desc_group} (6.7). */
    public boolean hasDescAsid() {
        return atLeast(V6_7);
    }

    /** VHOST_BACKEND_F_RESUME and VHOST_VDPA_RESUME (6.4; absent from 6.1). */
    public boolean hasResume() {
        return atLeast(V6_6);
    }

    /**
     * The parent's {@code get_backend_features} op and VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK (6.4;
     * 6.1's SET_BACKEND_FEATURES accepts only MSG_V2, BATCH, ASID and SUSPEND).
     */
    public boolean hasParentBackendFeatures() {
        return atLeast(V6_6);
    }

    /**
     * The vring checks of 6.8: SET_VRING_NUM above the device maximum is -EINVAL, and SET_VRING_ADDR /
     * SET_VRING_BASE while DRIVER_OK and not suspended are -EINVAL. 6.1 accepts all three.
     */
    public boolean checksVringsWhileRunning() {
        return atLeast(V6_8);
    }

    /**
     * vdpa_sim has the {@code use_va} module parameter, default on (VA mode): "vdpa_sim: add support for
     * user VA" (S. Garzarella), Linux 6.3. Before it there is no such parameter and the device is in PA
     * mode (pinning).
     */
    public boolean vdpaSimUsesVaByDefault() {
        return atLeast(V6_6);
    }

    /**
     * vdpa_sim keeps an identity ("passthrough") map in each address space after a reset and drops it
     * at the first {@code set_map}, {@code dma_map} or {@code dma_unmap}: "vdpa_sim: get rid of DMA ops"
     * (J. Wang), Linux 6.3 ({@code vdpasim_do_reset} adds {@code [0, ULONG_MAX]}, {@code iommu_pt[asid]}).
     * Before it (6.1) the device used DMA ops and an IOVA allocator; a reset empties each table
     * ({@code vhost_iotlb_reset}), so an address space starts with no translation.
     */
    public boolean vdpaSimPassthroughAtReset() {
        return atLeast(V6_6);
    }

    /**
     * mlx5: {@code set_map_data} builds an MR (direct MKEYs) for the table of any address space (D. Tatulea's
     * "vdpa/mlx5: Support multiple address spaces" work, 6.7, which removed the
     * {@code group2asid[MLX5_VDPA_DATAVQ_GROUP] != asid} early exit). Before, only the data virtqueues'
     * address space got an MR; the control queue's only had its table copied for the software CVQ
     * ({@code _mlx5_vdpa_create_mr} → {@code dup_iotlb}, read by {@code mlx5_cvq_kick_handler}).
     */
    public boolean mlx5MrPerAddressSpace() {
        return atLeast(V6_7);
    }

    /** mlx5: resumable VQs, so {@code set_map} while running suspends and resumes instead of re-creating (6.8). */
    public boolean mlx5ResumableVqs() {
        return atLeast(V6_8);
    }

    /** mlx5: virtqueues pre-created at device add (6.11). */
    public boolean mlx5PrecreatedVqs() {
        return atLeast(V6_11);
    }

    /** mlx5: parallel MKEY creation and deletion, parallel suspend/resume (6.12). */
    public boolean mlx5ParallelMkeys() {
        return atLeast(V6_12);
    }

    /**
     * mlx5: an MR that {@code set_map}, {@code reset_map} or a cleaning reset replaces goes to a delayed
     * workqueue instead of being destroyed on the caller's path ("vdpa/mlx5: Postpone MR deletion", the
     * last patch of the 6.12 "Optimze MKEY operations" series). What a parent is built with by default;
     * {@link Mlx5Options} can turn it off (Tatulea's middle row).
     */
    public boolean mlx5DeferredMrDeletion() {
        return atLeast(V6_12);
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
