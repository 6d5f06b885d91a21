package org.toyvm.memory;

/**
 * One piece of a FlatView: guest addresses {@code [start, last]} (inclusive) served by a terminating
 * region from {@code offsetInRegion}, with the attributes that decide merging and diffing.
 */
public record FlatRange(long start, long last, MemoryRegion region, long offsetInRegion, boolean readonly,
        boolean romdMode, boolean nonvolatile, boolean unmergeable, int dirtyLogMask) {

    /** QEMU's flatrange_equal: what the diff treats as "the same range" (dirty log aside). */
    boolean sameAs(FlatRange o) {
        return start == o.start && last == o.last && region == o.region && offsetInRegion == o.offsetInRegion
                && readonly == o.readonly && romdMode == o.romdMode && nonvolatile == o.nonvolatile
                && unmergeable == o.unmergeable;
    }

    /** QEMU's can_merge: adjacent, same region, contiguous offsets, equal attributes, both mergeable. */
    boolean canMergeWith(FlatRange next) {
        return last != -1L && last + 1 == next.start && region == next.region
                && offsetInRegion + (last - start + 1) == next.offsetInRegion && readonly == next.readonly
                && romdMode == next.romdMode && nonvolatile == next.nonvolatile && dirtyLogMask == next.dirtyLogMask
                && !unmergeable && !next.unmergeable;
    }

    FlatRange mergedWith(FlatRange next) {
        return new FlatRange(start, next.last, region, offsetInRegion, readonly, romdMode, nonvolatile, unmergeable,
                dirtyLogMask);
    }

    MemoryRegionSection section() {
        return new MemoryRegionSection(region, offsetInRegion, start, last, readonly, nonvolatile, unmergeable);
    }
}
