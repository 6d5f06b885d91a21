package org.toyvm.core.mem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.addr.U64;

/**
 * The VMM process's host virtual address space (its {@code mm}): hands out HVA ranges to RAM
 * blocks, resolves a host address back to its block, and holds the process-wide pinned page count
 * ({@code mm->pinned_vm}) checked against RLIMIT_MEMLOCK. One per VM process; nothing is shared
 * between two instances.
 *
 * <p>Blocks are placed from {@link #FIRST_HVA} upwards, each on a 2 MiB boundary with a 2 MiB guard
 * gap, so host addresses look like a 64-bit Linux process's mmap area and are deterministic.
 */
public final class HostAddressSpace {
    /** Where the first block is placed (a typical x86-64 mmap base). */
    public static final long FIRST_HVA = 0x7f00_0000_0000L;
    private static final long PLACEMENT_ALIGN = 2L << 20;

    private final TreeMap<Long, RamBlock> byStart = new TreeMap<>(Long::compareUnsigned);
    // Lookup index for the DMA hot path: block starts biased by 2^63 (signed order = unsigned
    // order) and the blocks, rebuilt on map/unmap, so that resolving an address boxes nothing.
    private long[] biasedStarts = new long[0];
    private RamBlock[] sortedBlocks = new RamBlock[0];
    private long next = FIRST_HVA;
    private long pinnedPages;
    private long memlockLimitBytes = U64.MAX; // RLIM_INFINITY by default

    /**
     * True when a block of {@code size} bytes (unsigned) can be placed: more than 0 and below 2^63
     * bytes (a block's size is a positive {@code long}), and it, its page rounding and the guard gap
     * after it end below 2^64 — the model's address space, which unlike a real x86-64 process is not
     * cut at 47 bits (guests of petabytes are modelled). mmap(2) answers ENOMEM where this is false
     * for a non-zero length (do_mmap: the page-aligned length wraps to 0, or no free area is big enough).
     */
    public boolean hasRoomFor(long size) {
        if (size <= 0 || U64.addOverflows(size, Pages.MASK)) {
            return false;
        }
        long alignedSize = Pages.alignUp(size);
        return !U64.addOverflows(next, alignedSize) && !U64.addOverflows(next + alignedSize, 2 * PLACEMENT_ALIGN);
    }

    /**
     * Maps a block of {@code size} bytes whose physically contiguous runs are {@code physRunSize} bytes.
     *
     * @throws IllegalArgumentException when there is no room ({@link #hasRoomFor}) or the run size is bad
     */
    public RamBlock map(String name, long size, long physRunSize) {
        return place(name, size, start -> new RamBlock(name, Hva.of(start), size, physRunSize));
    }

    /**
     * Maps a block of {@code size} bytes backed by {@code backend}: its runs are the backend's pages,
     * and it is VA-mappable only when the backend is a shared file mapping.
     *
     * @throws IllegalArgumentException when there is no room ({@link #hasRoomFor})
     */
    public RamBlock map(String name, long size, MemoryBackend backend) {
        Objects.requireNonNull(backend, "backend");
        return place(name, size, start -> new RamBlock(name, Hva.of(start), size, backend));
    }

    private RamBlock place(String name, long size, LongFunction<RamBlock> factory) {
        if (!hasRoomFor(size)) {
            throw new IllegalArgumentException("no room for a block of " + U64.dec(size) + " bytes ('" + name
                    + "') in the host address space above " + U64.hex(next));
        }
        long start = next;
        long alignedSize = Pages.alignUp(size);
        long after = start + alignedSize + PLACEMENT_ALIGN;
        RamBlock block = factory.apply(start);
        byStart.put(start, block);
        reindex();
        next = (after + PLACEMENT_ALIGN - 1) & ~(PLACEMENT_ALIGN - 1);
        return block;
    }

    /** Maps a block treated as one physically contiguous run (guest RAM in the model). */
    public RamBlock map(String name, long size) {
        long run = Long.highestOneBit(Math.max(Pages.SIZE, size));
        if (run < size) {
            run = run == (1L << 62) ? run : run << 1;
        }
        return map(name, size, run);
    }

    /** Removes a block (munmap). Pins still held on it are a leak: refused. */
    public void unmap(RamBlock block) {
        if (byStart.get(block.base().value()) != block) {
            throw new IllegalArgumentException(block + " is not mapped in this address space");
        }
        if (block.pins().pinnedPages() != 0) {
            throw new IllegalStateException(block + " still has " + block.pins().pinnedPages() + " pinned pages");
        }
        byStart.remove(block.base().value());
        reindex();
    }

    private void reindex() {
        biasedStarts = new long[byStart.size()];
        sortedBlocks = new RamBlock[byStart.size()];
        int i = 0;
        for (RamBlock b : byStart.values()) {
            biasedStarts[i] = b.base().value() ^ Long.MIN_VALUE;
            sortedBlocks[i++] = b;
        }
    }

    /** The block holding {@code hva}, or null when the address is not mapped. */
    public RamBlock blockAt(long hva) {
        long key = hva ^ Long.MIN_VALUE;
        long[] a = biasedStarts;
        int lo = 0;
        int hi = a.length - 1;
        while (lo <= hi) { // the last block starting at or below hva
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= key) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (hi < 0) {
            return null;
        }
        RamBlock b = sortedBlocks[hi];
        return U64.lt(hva - b.base().value(), b.size()) ? b : null;
    }

    /** The block holding {@code hva}. */
    public RamBlock blockAt(Hva hva) {
        return blockAt(hva.value());
    }

    /**
     * The block holding all of {@code [hva, hva+len)}, or null when the range is not inside a single
     * mapped block (a hole, or two blocks).
     */
    public RamBlock blockContaining(long hva, long len) {
        RamBlock b = blockAt(hva);
        if (b == null) {
            return null;
        }
        long off = hva - b.base().value();
        return b.fits(off, len) ? b : null;
    }

    public List<RamBlock> blocks() {
        return Collections.unmodifiableList(new ArrayList<>(byStart.values()));
    }

    /** Pages pinned by this process ({@code mm->pinned_vm}, reported as VmPin). */
    public long pinnedPages() {
        return pinnedPages;
    }

    public long memlockLimitBytes() {
        return memlockLimitBytes;
    }

    /** setrlimit(RLIMIT_MEMLOCK); {@link U64#MAX} is RLIM_INFINITY. */
    public void setMemlockLimitBytes(long bytes) {
        this.memlockLimitBytes = bytes;
    }

    /** True when pinning {@code pages} more would stay within RLIMIT_MEMLOCK (the kernel's check). */
    public boolean mayPin(long pages) {
        long limitPages = memlockLimitBytes >>> Pages.SHIFT;
        return !U64.addOverflows(pinnedPages, pages) && U64.le(pinnedPages + pages, limitPages);
    }

    /** Accounts {@code pages} as pinned; callers check {@link #mayPin} first. */
    public void accountPinned(long pages) {
        pinnedPages = U64.addExact(pinnedPages, pages);
    }

    /** Returns {@code pages} pinned pages; more than are pinned is an accounting bug. */
    public void accountUnpinned(long pages) {
        if (U64.gt(pages, pinnedPages)) {
            throw new IllegalStateException("unpinning " + pages + " pages but only " + pinnedPages + " are pinned");
        }
        pinnedPages -= pages;
    }
}
