/**
 * The virtio 1.x specification as data: device status bits ({@link org.toyvm.core.virtio.VirtioStatus}),
 * feature bits ({@link org.toyvm.core.virtio.VirtioFeatures}), the split-ring layout
 * ({@link org.toyvm.core.virtio.SplitRing}, §2.7), the virtio-net config space and header
 * ({@link org.toyvm.core.virtio.VirtioNet}, §5.1), and the driver's side of a split ring
 * ({@link org.toyvm.core.virtio.DriverRing}), the one driver-side ring writer, meant for the toy
 * guest, the benchmarks and the device tests alike.
 *
 * <p>Constants are checked against golden values compiled from the Linux uAPI headers
 * ({@code linux/virtio_config.h}, {@code virtio_ring.h}, {@code virtio_net.h}). Code elsewhere
 * uses these names, never the numbers ({@code status & VirtioStatus.FEATURES_OK}, not
 * {@code status & 8}). The device side of the ring is not here: it belongs to the hardware
 * (virtio-hw), which reads rings only through DMA translation.
 *
 * <p>Depends on {@code org.toyvm.core.addr} and {@code org.toyvm.core.mem} (the driver ring writes
 * guest RAM by GPA); must not depend on devices, the kernel model or the VMM.
 */
package org.toyvm.core.virtio;
