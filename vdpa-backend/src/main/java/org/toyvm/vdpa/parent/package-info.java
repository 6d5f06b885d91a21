/**
 * The vDPA parent drivers the model has, each behind {@link org.toyvm.vdpa.bus.VdpaParent}: an
 * on-chip IOMMU parent in the style of mlx5_vdpa (drivers/vdpa/mlx5: {@code set_map} builds a
 * memory region from the whole table, 1:1 DMA MR after reset), a vdpa_sim-style parent
 * (drivers/vdpa/vdpa_sim: {@code dma_map}/{@code dma_unmap} into a per-ASID table) and a parent with
 * no map ops whose DMA goes through the platform IOMMU domain vhost-vdpa attaches. Each exposes its
 * {@link org.toyvm.vdpa.bus.MappingStyle} and the translation its hardware uses per address space,
 * and models what each kernel generation's reset, {@code compat_reset} and {@code reset_map} do
 * to that translation. {@link org.toyvm.vdpa.parent.VdpaParents} creates one of a kind.
 *
 * <p>It depends on {@code bus}, {@code iotlb}, {@code uapi}, vmm-core and hw-api; never on
 * {@code org.toyvm.vdpa.kernel} (vhost-vdpa reaches a parent only through the bus types).
 */
package org.toyvm.vdpa.parent;
