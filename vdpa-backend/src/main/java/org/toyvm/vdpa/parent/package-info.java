/**
 * The vDPA parent drivers the model has, each behind {@link org.toyvm.vdpa.bus.VdpaParent}: an
 * on-chip IOMMU parent in the style of mlx5_vdpa (drivers/vdpa/mlx5: {@code set_map} builds a
 * memory region from the whole table, 1:1 DMA MR after reset), a vdpa_sim-style parent
 * (drivers/vdpa/vdpa_sim: {@code dma_map}/{@code dma_unmap} into a per-ASID table) and a parent with
 * no map ops whose DMA goes through the platform IOMMU domain vhost-vdpa attaches. Each exposes its
 * {@link org.toyvm.vdpa.bus.MappingStyle} and the translation its hardware uses per address space,
 * and models what each kernel generation's reset, {@code compat_reset} and {@code reset_map} do
 * to that translation. vdpa_sim follows its module options ({@link org.toyvm.vdpa.bus.ParentSpec}:
 * {@code batch_mapping} picks {@code set_map} or {@code dma_map}, {@code use_va} VA mode) and its
 * 6.3 passthrough map; mlx5 charges the costs of its generation (VQ re-creation before 6.8, VQ
 * creation at DRIVER_OK before 6.11, serial MKEYs and suspend/resume before 6.12).
 * {@link org.toyvm.vdpa.parent.VdpaParents} creates one from a kind or a spec.
 *
 * <p>It depends on {@code bus}, {@code iotlb}, {@code uapi}, vmm-core and hw-api; never on
 * {@code org.toyvm.vdpa.kernel} (vhost-vdpa reaches a parent only through the bus types).
 */
package org.toyvm.vdpa.parent;
