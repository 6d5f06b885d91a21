/**
 * QEMU's memory API: the region tree a machine builds (RAM, ROM, ram_device, rom_device, MMIO,
 * aliases, containers), the {@link org.toyvm.memory.FlatView} it renders to, transactions, and the
 * listeners told what changed between two views. It follows QEMU's {@code system/memory.c}
 * (render_memory_region, flatview_simplify, address_space_update_topology_pass and the
 * memory_listener_* calls) and {@code include/system/memory.h} for the region kinds and their
 * attributes. An {@link org.toyvm.memory.AddressSpace} is also the guest's view of its memory
 * ({@link org.toyvm.core.mem.GuestRam}): guest-physical loads and stores, and GPA ranges resolved to
 * the RAM block and offset behind them (address_space_translate / address_space_map), so nothing
 * above it has to assume where a RAM block is mapped.
 *
 * <p>It knows nothing of vhost, vDPA, virtio or the NIC: listeners (such as the vhost-vdpa one in
 * net-device) depend on it, never the reverse. It depends on vmm-core only (addresses, RAM blocks).
 */
package org.toyvm.memory;
