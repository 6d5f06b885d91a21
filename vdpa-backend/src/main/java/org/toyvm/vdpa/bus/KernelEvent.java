package org.toyvm.vdpa.bus;

/** What the kernel model counts for the reports: parent calls and pinning. */
public enum KernelEvent {
    SET_MAP, DMA_MAP, DMA_UNMAP, IOMMU_MAP, IOMMU_UNMAP, RESET, COMPAT_RESET, RESET_MAP, MR_BUILD, MR_DESTROY,
    SUSPEND, RESUME, PAGES_PINNED, PAGES_UNPINNED,
    /** mlx5: one hardware virtqueue created (before 6.11 at DRIVER_OK; before 6.8 again at a live set_map). */
    VQ_CREATE,
    /**
     * mlx5 with deferred MR deletion (6.12): one replaced MR handed to the {@code mlx5_vdpa_mr_gc}
     * workqueue instead of destroyed on the caller's path (also counted in {@link #MR_DESTROY}).
     */
    MR_DESTROY_DEFERRED
}
