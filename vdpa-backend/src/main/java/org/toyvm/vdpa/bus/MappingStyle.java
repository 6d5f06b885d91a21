package org.toyvm.vdpa.bus;

import java.util.function.Function;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.uapi.Errno;

/**
 * How a parent takes mappings from vhost-vdpa: the three branches of drivers/vhost/vdpa.c
 * {@code vhost_vdpa_map()} / {@code vhost_vdpa_general_unmap()}, which test {@code ops->dma_map},
 * then {@code ops->set_map}, and otherwise map into the platform IOMMU domain vhost-vdpa attached
 * ({@code iommu_map}). A parent has exactly one style; the set is closed.
 *
 * <p>The type lives on the bus because the parent names it ({@link VdpaParent#mappingStyle()});
 * what vhost-vdpa does with each style (when a batch defers set_map, how perm becomes IOMMU flags)
 * is the kernel package's. {@link #fold} is the exhaustive match over the three records, so the
 * kernel needs no {@code instanceof} and no downcast to a parent class.
 */
public sealed interface MappingStyle permits MappingStyle.DmaMap, MappingStyle.SetMap, MappingStyle.IommuDomain {

    /** The three cases, one function each; adding a style breaks every caller at compile time. */
    <R> R fold(Function<DmaMap, R> dmaMap, Function<SetMap, R> setMap, Function<IommuDomain, R> iommu);

    /** {@code ops->dma_map} / {@code ops->dma_unmap}: the parent takes one entry at a time (vdpa_sim). */
    record DmaMap(DmaMapOps ops) implements MappingStyle {
        @Override
        public <R> R fold(Function<DmaMap, R> dmaMap, Function<SetMap, R> setMap, Function<IommuDomain, R> iommu) {
            return dmaMap.apply(this);
        }
    }

    /** {@code ops->set_map}: the parent takes the whole table each time (mlx5_vdpa builds an MR from it). */
    record SetMap(SetMapOps ops) implements MappingStyle {
        @Override
        public <R> R fold(Function<DmaMap, R> dmaMap, Function<SetMap, R> setMap, Function<IommuDomain, R> iommu) {
            return setMap.apply(this);
        }
    }

    /**
     * Neither op: vhost-vdpa maps each entry into the IOMMU domain attached to the parent's DMA
     * device ({@code vhost_vdpa_alloc_domain}); the domain's aperture bounds the IOVA range when the
     * parent has no {@code get_iova_range} ({@code vhost_vdpa_set_iova_range}).
     */
    record IommuDomain(DomainOps domain, AddrRange aperture) implements MappingStyle {
        @Override
        public <R> R fold(Function<DmaMap, R> dmaMap, Function<SetMap, R> setMap, Function<IommuDomain, R> iommu) {
            return iommu.apply(this);
        }
    }

    /** {@code vdpa_config_ops.dma_map} / {@code dma_unmap}. */
    interface DmaMapOps {
        Errno dmaMap(int asid, long iova, long size, long addr, int perm);

        Errno dmaUnmap(int asid, long iova, long size);
    }

    /** {@code vdpa_config_ops.set_map(vdev, asid, iotlb)}. */
    @FunctionalInterface
    interface SetMapOps {
        Errno setMap(int asid, VhostIotlb table);
    }

    /** {@code iommu_map} / {@code iommu_unmap} on the attached domain; flags are IOMMU_READ/WRITE bits. */
    interface DomainOps {
        void iommuMap(long iova, long size, long addr, int iommuFlags);

        void iommuUnmap(DmaEntry e);
    }
}
