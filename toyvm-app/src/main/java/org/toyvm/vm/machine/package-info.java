/**
 * The toy VM as QEMU would assemble it: a pc-like memory map (RAM below 3 GiB and from 4 GiB, the
 * PCI hole with each NIC's virtio-mmio window and doorbell page, the BIOS ROM under 4 GiB) in the
 * memory API, and per vDPA NIC ({@link org.toyvm.vm.machine.NetSlot}) the simulated kernel side (vDPA
 * parent, NIC, {@code /dev/vhost-vdpa-N}) and the VMM's virtio-net device with its vhost-vdpa frontend,
 * every NIC in the one process's {@code mm} (one RLIMIT_MEMLOCK, set as libvirt would:
 * {@link org.toyvm.vm.machine.NetTopology}; refused mappings kept by
 * {@link org.toyvm.vm.machine.MapFailureLog}). It follows QEMU's {@code hw/i386/pc.c}
 * (pc_memory_init: the RAM split at the 4 GiB boundary, the phys-bits limit) for the map, and the
 * order QEMU wires a vhost-vdpa netdev to its device. {@link org.toyvm.vm.machine.MachineConfig} is
 * what a machine is made of and the sizes the pc map accepts.
 *
 * <p>It hands the guest its guest RAM as {@link org.toyvm.core.mem.GuestRam} (the system address
 * space). It depends on the modules below (vmm-core, memory-listener, virtio-hw, vdpa-backend,
 * net-device, netdev) and must not depend on the guest, the experiments or the CLI that run on it.
 */
package org.toyvm.vm.machine;
