/**
 * QEMU's memory API ({@code system/memory.c}, {@code include/exec/memory.h}) for one machine:
 * {@link org.toyvm.memory.MemoryRegion}s (containers, RAM, ROM, ram_device, rom_device, MMIO and
 * aliases) placed in a tree with priorities, {@link org.toyvm.memory.AddressSpace}s over a root
 * region, nested transactions in {@link org.toyvm.memory.MemorySystem}, and
 * {@link org.toyvm.memory.MemoryListener}s told about every change as
 * {@link org.toyvm.memory.MemoryRegionSection}s, in QEMU's order (begin; deletes, listeners in
 * reverse; adds and nops, listeners in order; commit).
 *
 * <p>A commit takes QEMU's three steps. Render ({@code generate_memory_topology} /
 * {@code render_memory_region}) and simplify ({@code flatview_simplify}) run in
 * {@code FlatRenderer}, into scratch arrays the memory system reuses; {@code FlatViewBuilder} makes
 * the new {@link org.toyvm.memory.FlatView}, sharing with the previous one every chunk of ranges
 * (and every single range, with its section) that did not change; the diff
 * ({@code address_space_update_topology_pass}, twice) walks both views and skips shared chunks in
 * its delete pass. So a commit's time is linear in the sections (QEMU tells every listener about
 * every unchanged section with {@code region_nop}) while what it allocates grows with what changed.
 *
 * <p>An {@link org.toyvm.memory.AddressSpace} is also the guest's view of its memory
 * ({@link org.toyvm.core.mem.GuestRam}): guest-physical loads and stores, and GPA ranges resolved to
 * the RAM block and offset behind them (address_space_translate / address_space_map), so nothing
 * above it has to assume where a RAM block is mapped.
 *
 * <p>It knows nothing of vhost, vDPA, virtio or the NIC: listeners (such as the vhost-vdpa one in
 * net-device) depend on it, never the reverse. Depends on vmm-core only (unsigned addresses, RAM blocks). Nothing here is static and mutable:
 * two machines in one JVM share nothing.
 */
package org.toyvm.memory;
