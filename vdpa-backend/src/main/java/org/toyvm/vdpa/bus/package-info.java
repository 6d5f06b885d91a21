/**
 * The vDPA bus (drivers/vdpa/vdpa.c, {@code <linux/vdpa.h>}) as the layer between vhost-vdpa and the
 * parent drivers: {@link org.toyvm.vdpa.bus.VdpaParent} is the mapping half of
 * {@code struct vdpa_config_ops} with its optional ops, {@link org.toyvm.vdpa.bus.MappingStyle} the
 * closed set of ways a parent takes mappings (per-entry {@code dma_map}, whole-table
 * {@code set_map}, or the platform IOMMU domain), and the shared vocabulary both sides use: the
 * kernel generation ({@link org.toyvm.vdpa.bus.KernelVersion}, a timeline with one predicate per
 * change), the parent kinds, a parent with its module options ({@link org.toyvm.vdpa.bus.ParentSpec})
 * and the counters.
 *
 * <p>Both {@code org.toyvm.vdpa.kernel} and {@code org.toyvm.vdpa.parent} stand on this package; it
 * may use {@code uapi}, {@code iotlb}, vmm-core and hw-api, and must never import the kernel or the
 * parents (that is what keeps the two free of a package cycle).
 */
package org.toyvm.vdpa.bus;
