/**
 * The simulated kernel's {@code struct vhost_iotlb} (Linux {@code drivers/vhost/iotlb.c}): the IOVA
 * ranges a vhost-vdpa device may DMA through, each mapped to a host address with a permission, as
 * userspace set them with {@code VHOST_IOTLB_UPDATE} / {@code INVALIDATE} messages.
 *
 * <p>vhost-vdpa keeps one per address space; parents keep their own copies (vdpa_sim's per-ASID
 * table, mlx5's MR).
 *
 * <p>{@link org.toyvm.vdpa.iotlb.VhostIotlb} keeps two structures for two kinds of use. Changes go
 * to a tree keyed by start (O(log n) per insert or removal, overlap queries as Linux's interval tree
 * answers them, and a journal of changes so that a parent holding a copy, as mlx5's {@code set_map}
 * does, can catch up without copying). Lookups ({@code find}, the NIC's DMA path, the hot one) go
 * to {@code IotlbIndex}, a flat snapshot rebuilt only once enough lookups have been made to pay for
 * it: a bucket table over the starts, so that a lookup in evenly spread entries is a shift and two
 * or three array reads, and a binary search only where starts crowd into one bucket. Both answer
 * the same {@link org.toyvm.hw.api.DmaEntry}, as rust-vmm vm-memory's IOTLB lookup returns a result.
 *
 * <p>This package depends on vmm-core (unsigned address helpers) and hw-api (DmaEntry,
 * DmaTranslation) only; the kernel and parent packages use it, never the reverse.
 */
package org.toyvm.vdpa.iotlb;
