package org.toyvm.hw.api;

import org.toyvm.core.addr.Iova;

/**
 * What the NIC sees of its parent's DMA mappings for one address space: the translation it uses
 * for every ring and buffer access. Implemented by each parent (platform IOMMU domain, mlx5 MR,
 * vdpa_sim table).
 *
 * <p>{@link #generation()} changes whenever any mapping changes (map, unmap, reset, MR rebuild), so
 * a device-side cache is valid exactly while the generation it was filled under is current.
 */
public interface DmaTranslation {
    /**
     * The entry containing {@code iova}, or null when nothing maps it (a DMA fault). The device calls
     * this only when its own cache misses, so the typed address costs nothing on the hot path.
     */
    DmaEntry find(Iova iova);

    /** Bumped on every change of the mappings. */
    long generation();
}
