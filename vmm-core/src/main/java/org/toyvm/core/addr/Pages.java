package org.toyvm.core.addr;

/** 4 KiB page helpers on unsigned 64-bit addresses. */
public final class Pages {
    public static final int SHIFT = 12;
    public static final long SIZE = 1L << SHIFT;
    public static final long MASK = SIZE - 1;

    private Pages() {
    }

    public static long alignDown(long addr) {
        return addr & ~MASK;
    }

    /** Rounds up; throws when that passes 2^64. */
    public static long alignUp(long addr) {
        return U64.addExact(addr, MASK) & ~MASK;
    }

    public static boolean isAligned(long addr) {
        return (addr & MASK) == 0;
    }

    /** Number of 4 KiB pages that {@code range} touches (at most 2^52, so it fits). */
    public static long spanned(AddrRange range) {
        return (range.last() >>> SHIFT) - (range.start() >>> SHIFT) + 1;
    }

    /** Number of pages touched by {@code [start, start+size)}, size > 0. */
    public static long spanned(long start, long size) {
        return spanned(AddrRange.ofSize(start, size));
    }

    /** Pages in a byte count (rounding up), for sizes already page-aligned this is exact. */
    public static long count(long bytes) {
        return (bytes >>> SHIFT) + ((bytes & MASK) == 0 ? 0 : 1);
    }
}
