/**
 * The simulated Linux side that a QEMU-style VMM talks to for a vhost-vdpa network device: the
 * {@code /dev/vhost-vdpa-N} character device (drivers/vhost/vdpa.c), vhost-vdpa's IOTLB
 * (drivers/vhost/iotlb.c), the vDPA bus with its parent drivers (drivers/vdpa: mlx5_vdpa, vdpa_sim
 * and an ifcvf-like device behind the platform IOMMU) and the vhost uAPI
 * ({@code <linux/vhost.h>}, {@code <linux/vhost_types.h>}).
 *
 * <p>Layers, bottom up: {@code uapi} and {@code iotlb}; {@code bus} (what a parent is, as vhost-vdpa
 * sees it); {@code parent} and {@code kernel} side by side on the bus, neither importing the other.
 * PackageDependencyTest holds the layering. The module depends on vmm-core and the hardware seam
 * (hw-api) only: never on the device hardware (virtio-hw), the wire ports (netdev), the QEMU side
 * (net-device) or Netty.
 */
package org.toyvm.vdpa;
