/**
 * The VMM's vhost-vdpa frontend: what QEMU's {@code net/vhost-vdpa.c} and
 * {@code hw/virtio/vhost-vdpa.c} (9.x order) do with a {@code /dev/vhost-vdpa-N} device to run a
 * virtio-net datapath — open and SET_OWNER, backend feature negotiation, per-queue SET_VRING_*, the
 * status sequence, SUSPEND and reset — plus the reset policy that decides whether IOTLB mappings
 * survive a guest reset. {@link org.toyvm.net.vhost.VhostVdpaListener} is the memory listener
 * (vhost_vdpa_listener_region_add / _del) that turns the guest's RAM sections into IOTLB UPDATE and
 * INVALIDATE messages, batched: each section goes Gpa → Iova (equal, no vIOMMU and no shadow
 * virtqueues) and Gpa → Hva (its RAM block's host address).
 *
 * <p>It implements {@link org.toyvm.net.device.VirtioNetBackend} and talks to the simulated kernel
 * only through the vhost-vdpa uAPI surface ({@code org.toyvm.vdpa.kernel} ioctls and
 * {@code org.toyvm.vdpa.uapi} messages); it must not reach into the kernel's parents, its IOTLB or the
 * NIC hardware, and nothing below it (kernel, hardware, memory API) may depend on it.
 */
package org.toyvm.net.vhost;
