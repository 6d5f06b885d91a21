/**
 * The toy guest: the software that runs inside the toy VM, and the in-process peer at the far end of
 * its wire. The guest is one vCPU ({@code Vcpu}: register writes are VMM exits whose modelled cost
 * freezes it), a virtio-net driver that probes and runs its queues the way Linux's
 * {@code drivers/virtio/virtio.c}, {@code virtio_mmio.c} and {@code drivers/net/virtio_net.c} do
 * (status order, feature negotiation, vm_setup_vq, try_fill_recv, start_xmit, free_old_xmit), a small
 * ARP/ICMP stack, and a pinger; {@link org.toyvm.vm.guest.ToyGuest} puts them together and runs the
 * boot sequence (power on, reboot with a boot time, shutdown).
 *
 * <p>For a live migration the guest can be paused (its vCPU holds whatever comes due; a device
 * interrupt stays pending once per queue, as on a paused KVM vCPU), moved to another machine of the
 * same shape whose RAM holds a copy of this one's ({@code MigrationShape} says why not), and resumed:
 * the driver keeps its ring indices, free lists and buffers ({@link org.toyvm.core.virtio.DriverRing#movedTo}),
 * the stack its ARP cache, the pinger its sequence. Moving the device state is the VMM's job, not the
 * guest's.
 *
 * <p>The guest sees only what a real guest sees: the virtio-mmio window and the doorbell page by
 * address, and its RAM by guest physical address through {@link org.toyvm.core.mem.GuestRam}. Its
 * rings are vmm-core's {@link org.toyvm.core.virtio.DriverRing}; where they and the buffers live is a
 * {@link org.toyvm.vm.guest.GuestLayout} of GPAs, never a RAM block offset. It must not reach into
 * the VMM's device model, the vhost frontend, the simulated kernel or the NIC (it uses the machine
 * only for its scheduler, cost meter, address space and the NIC's interrupt line), and nothing in
 * the machine may depend on it.
 */
package org.toyvm.vm.guest;
