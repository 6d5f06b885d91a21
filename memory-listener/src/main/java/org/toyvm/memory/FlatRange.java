package org.toyvm.memory;

import java.util.Objects;

/**
 * One piece of a FlatView: guest addresses {@code [start, last]} (inclusive) served by a terminating
 * region from {@code offsetInRegion}, with the attributes that decide merging and diffing.
 *
 * <p>A value (equal by its fields, like a record), but it also carries the {@link MemoryRegionSection}
 * listeners are told about, made once: a commit reuses the previous view's FlatRange for every range
 * that did not change, so telling listeners about unchanged ranges ({@code region_nop}) allocates
 * nothing.
 */
public final class FlatRange {
    private final long start;
    private final long last;
    private final MemoryRegion region;
    private final long offsetInRegion;
    private final boolean readonly;
    private final boolean romdMode;
    private final boolean nonvolatile;
    private final boolean unmergeable;
    private final int dirtyLogMask;
    private final MemoryRegionSection section;

    public FlatRange(long start, long last, MemoryRegion region, long offsetInRegion, boolean readonly,
            boolean romdMode, boolean nonvolatile, boolean unmergeable, int dirtyLogMask) {
        this.start = start;
        this.last = last;
        this.region = region;
        this.offsetInRegion = offsetInRegion;
        this.readonly = readonly;
        this.romdMode = romdMode;
        this.nonvolatile = nonvolatile;
        this.unmergeable = unmergeable;
        this.dirtyLogMask = dirtyLogMask;
        this.section = new MemoryRegionSection(region, offsetInRegion, start, last, readonly, nonvolatile,
                unmergeable);
    }

    public long start() {
        return start;
    }

    public long last() {
        return last;
    }

    public MemoryRegion region() {
        return region;
    }

    public long offsetInRegion() {
        return offsetInRegion;
    }

    public boolean readonly() {
        return readonly;
    }

    public boolean romdMode() {
        return romdMode;
    }

    public boolean nonvolatile() {
        return nonvolatile;
    }

    public boolean unmergeable() {
        return unmergeable;
    }

    public int dirtyLogMask() {
        return dirtyLogMask;
    }

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

    MemoryRegionSection section() {
        return section;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlatRange r && sameAs(r) && dirtyLogMask == r.dirtyLogMask;
    }

    @Override
    public int hashCode() {
        return Objects.hash(start, last, region, offsetInRegion, readonly, romdMode, nonvolatile, unmergeable,
                dirtyLogMask);
    }

    @Override
    public String toString() {
        return "FlatRange[start=" + start + ", last=" + last + ", region=" + region + ", offsetInRegion="
                + offsetInRegion + ", readonly=" + readonly + ", romdMode=" + romdMode + ", nonvolatile="
                + nonvolatile + ", unmergeable=" + unmergeable + ", dirtyLogMask=" + dirtyLogMask + "]";
    }
}
