package org.toyvm.vdpa.bus;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.uapi.Errno;

/**
 * A vDPA parent driver as vhost-vdpa sees it: the mapping half of {@code vdpa_config_ops}, with its
 * optional operations said by the {@code has*} methods (vhost-vdpa checks for an op before it calls
 * it). The map operations themselves are the {@link #mappingStyle()}, a closed type. The device half
 * (status, queues, config) is the {@link #hardware()}.
 *
 * <p>Every parent exposes the translation its hardware uses per address space. Where it falls back
 * to a 1:1 map (mlx5's DMA MR, vdpa_sim's identity), that translation holds an identity entry, which
 * the NIC treats as a fault: it would take an IOVA as a host physical address.
 */
public interface VdpaParent {
    ParentKind kind();

    VirtioNetHardware hardware();

    int numAddressSpaces();

    int numGroups();

    /** How the parent takes mappings: per-entry dma_map, whole-table set_map, or the platform IOMMU. */
    MappingStyle mappingStyle();

    boolean hasResetMap();

    boolean hasCompatReset();

    boolean hasSuspend();

    boolean hasResume();

    boolean hasSetGroupAsid();

    /** {@code get_vq_desc_group}: lets userspace use DESC_ASID. */
    boolean hasDescGroup();

    /** The parent itself advertises persistent mappings (part of has_persistent_map). */
    boolean advertisesPersist();

    /** The parent's {@code get_backend_features} extras (ENABLE_AFTER_DRIVER_OK), as a bit mask. */
    long extraBackendFeatures();

    /**
     * {@code vdpa_device.use_va}: the parent takes user virtual addresses, so vhost-vdpa maps per
     * VMA without pinning ({@code vhost_vdpa_va_map}); otherwise it pins pages and hands physical
     * addresses ({@code vhost_vdpa_pa_map}). Fixed when the device is created.
     */
    boolean usesVa();

    /**
     * The parent's {@code set_driver_features} refuses a feature set without
     * VIRTIO_F_ACCESS_PLATFORM ({@code vdpasim_set_driver_features}: -EINVAL, mlx5_vdpa's
     * {@code verify_driver_features}: -EOPNOTSUPP, both on 6.1 and 6.12); vhost_vdpa_set_features
     * turns the refusal into EINVAL.
     */
    boolean requiresAccessPlatform();

    /** {@code get_iova_range}, or null when the parent has none. */
    AddrRange iovaRange();

    /** {@code reset_map(asid)}: back to the mapping the parent starts with. */
    Errno resetMap(int asid);

    /** {@code .reset}. */
    void reset();

    /** {@code .compat_reset(flags)} (6.7+; only called with flags ≠ 0). */
    void compatReset(int flags);

    void suspend();

    void resume();

    /** The translation the hardware uses for {@code asid}. */
    DmaTranslation translation(int asid);
}
