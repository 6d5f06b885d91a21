package org.toyvm.core.cost;

/** What a modelled cost pays for; each kind has its figure in a {@link CostProfile}. */
public enum CostKind {
    /** Pinning guest pages (get_user_pages) in vhost-vdpa's UPDATE handler. */
    PIN,
    /** Unpinning pages on INVALIDATE or release. */
    UNPIN,
    /** Platform IOMMU map of one entry (per page). */
    IOMMU_MAP,
    /** Platform IOMMU unmap (per page). */
    IOMMU_UNMAP,
    /** mlx5-style on-chip memory region (mkey) creation (per GiB of table). */
    MR_BUILD,
    /** mlx5-style MR destruction (per GiB). */
    MR_DESTROY,
    /** vdpa_sim-style dma_map / dma_unmap bookkeeping (per call). */
    DMA_MAP_CALL,
    /** One write() of a vhost_msg_v2 (the syscall and the handler's fixed part). */
    IOTLB_WRITE,
    /** One ioctl other than an IOTLB write. */
    IOCTL,
    /** Device suspend. */
    SUSPEND,
    /** Device resume. */
    RESUME,
    /** Device reset in the parent. */
    DEVICE_RESET,
    /** One mlx5 virtqueue's suspend before 6.12 (modify to SUSPEND, then query; one virtqueue after another). */
    SUSPEND_VQ_SERIAL,
    /** One mlx5 virtqueue's resume before 6.12 (modify to RDY). */
    RESUME_VQ_SERIAL,
    /** mlx5 MR creation before 6.12 (direct MKEYs one after another, per GiB). */
    MR_BUILD_SERIAL,
    /** mlx5 MR destruction before 6.12 (per GiB). */
    MR_DESTROY_SERIAL,
    /** Creating one mlx5 hardware virtqueue and its resources (before 6.11 at DRIVER_OK; before 6.8 at a live set_map). */
    VQ_CREATE,
    /**
     * One command through QEMU's shadow control virtqueue: the SVQ's add, the kick, the device's
     * processing and QEMU's busy-wait on the used ring ({@code vhost_vdpa_net_svq_poll}), per command.
     */
    CVQ_COMMAND,
    /** mlx5 parallel suspend from 6.12: one batch of commands in flight, charged once with its first virtqueue. */
    SUSPEND_BATCH,
    /** mlx5 parallel suspend from 6.12: each virtqueue of the batch after the first. */
    SUSPEND_VQ,
    /** mlx5 parallel resume from 6.12: one batch, with its first virtqueue. */
    RESUME_BATCH,
    /** mlx5 parallel resume from 6.12: each virtqueue of the batch after the first. */
    RESUME_VQ
}
