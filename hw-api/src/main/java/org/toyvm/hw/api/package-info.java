/**
 * The seam where the simulated Linux side and the device hardware meet, as in Linux's vDPA bus: the
 * parent driver (mlx5_vdpa, vdpa_sim, a platform-IOMMU parent) drives the device through the
 * device-facing half of {@code struct vdpa_config_ops} ({@link org.toyvm.hw.api.VirtioNetHardware}:
 * virtqueue number, addresses and base, ready, status, features, config space, groups and address
 * spaces), and the device reaches memory only through the parent's
 * {@link org.toyvm.hw.api.DmaTranslation} of an address space, looked up by
 * {@link org.toyvm.core.addr.Iova} and valid while its generation stands ({@link org.toyvm.hw.api.DmaEntry}
 * is one mapping, with the uAPI permission bits and the identity-map case of a cleaning reset).
 * Addresses cross the seam typed ({@code Iova}), never as bare numbers.
 *
 * <p>Only interfaces and values live here. The package depends on vmm-core's addresses alone; the
 * kernel model (vdpa-backend) implements and calls it, the hardware (virtio-hw) implements it, and
 * neither may be imported from here.
 */
package org.toyvm.hw.api;
