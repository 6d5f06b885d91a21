/**
 * The guest-facing virtio-net device of the VMM on the virtio-mmio transport: the register file
 * (version 2, {@link org.toyvm.net.device.VirtioMmioLayout}), the device status state machine and
 * feature negotiation, with the datapath handed to a {@link org.toyvm.net.device.VirtioNetBackend}.
 * It follows QEMU's {@code hw/virtio/virtio-mmio.c} (virtio_mmio_read / virtio_mmio_write, their
 * rules for bad sizes, selectors and write-only registers) and {@code hw/virtio/virtio.c}
 * (virtio_set_status), checked against the virtio 1.x specification §2.1, §3.1.1 and §4.2.2. Every
 * value the guest writes is unsigned at register width and checked before it selects anything; ring
 * addresses leave the device as {@link org.toyvm.core.addr.Gpa}s, unvalidated, for the backend to judge.
 * For live migration it follows {@code virtio_vmstate_change} (vhost stopped without a virtio reset when
 * the VM stops, started from the kept indices when it runs), {@code virtio_save} /
 * {@code vmstate_virtio_net_device} ({@link org.toyvm.net.device.VirtioNetState}) and {@code virtio_load},
 * whose refusals of an incoherent stream are each an answer, never an exception.
 *
 * <p>It depends on vmm-core only. It must not know vhost, vDPA, the memory API or the NIC: the
 * backend interface is the whole of what it asks of the datapath.
 */
package org.toyvm.net.device;
