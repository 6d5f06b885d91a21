/**
 * The VMM process's memory, as the kernel sees a process: the host address space
 * ({@link org.toyvm.core.mem.HostAddressSpace}, the process's {@code mm} with its
 * {@code pinned_vm} count against RLIMIT_MEMLOCK), the RAM blocks mapped into it
 * ({@link org.toyvm.core.mem.RamBlock}, QEMU's RAMBlock: guest RAM, ROM, a doorbell page) with their
 * pin counts ({@link org.toyvm.core.mem.PinLedger}), and guest RAM seen by guest physical address
 * ({@link org.toyvm.core.mem.GuestRam}).
 *
 * <p>Everything is sized for terabyte guests: RAM is backed sparsely in chunks allocated on first
 * write, and pins are kept per page-aligned range, never per page — the kernel pins per physically
 * contiguous run ({@code vhost_vdpa_pa_map}), and so does the model, a run being the block's backing
 * page size. {@link org.toyvm.core.mem.MemoryBackend} names what backs a block (QEMU's
 * memory-backend-ram with or without THP, memfd, hugetlb 2M/1G): its page size and whether it is a
 * shared file mapping, the only memory vhost_vdpa_va_map maps. One instance per VM process; nothing static.
 *
 * <p>A block's sparse storage is its package-private {@code ChunkStore}; {@link org.toyvm.core.mem.ChunkView}
 * reads one chunk's array directly while the block has dropped no chunk. A live migration moves a
 * block's contents to the destination process's block of the same size with
 * {@link org.toyvm.core.mem.RamBlock#copyTo} (QEMU's ram_save_* / ram_load for one RAMBlock): only
 * touched chunks are copied, and the destination drops what the source never touched.
 *
 * <p>Depends only on {@code org.toyvm.core.addr} (and Netty's collections); must not know about
 * QEMU's memory API, the kernel model or devices, which all build on it.
 */
package org.toyvm.core.mem;
