/**
 * vhost's IOTLB (drivers/vhost/iotlb.c, {@code struct vhost_iotlb}): an interval table of
 * IOVA ranges, each mapped to a host address with a permission, that answers overlap queries the
 * way {@code vhost_iotlb_itree_first/next} do (including the wrapped ranges hostile input makes)
 * and point lookups for the device's DMA ({@link org.toyvm.vdpa.iotlb.VhostIotlb}). vhost-vdpa keeps
 * one per address space; parents keep their own copies (vdpa_sim's per-ASID table, mlx5's MR).
 *
 * <p>It depends on vmm-core and the hardware seam (hw-api: {@code DmaEntry}, {@code DmaTranslation})
 * only, and on no other {@code org.toyvm.vdpa} package.
 */
package org.toyvm.vdpa.iotlb;
