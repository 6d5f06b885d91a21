package org.toyvm.memory;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.U64;

/**
 * What a listener is told about: a part of a region as it appears in an address space. The size
 * can be 2^64 (a section covering the whole space), so it is kept as an inclusive range:
 * {@link #sizeIsFull()} says when {@link #size()} would not fit.
 */
public record MemoryRegionSection(MemoryRegion region, long offsetWithinRegion, long offsetWithinAddressSpace,
        long lastInAddressSpace, boolean readonly, boolean nonvolatile, boolean unmergeable) {

    public AddrRange range() {
        return new AddrRange(offsetWithinAddressSpace, lastInAddressSpace);
    }

    /** True when the section spans all 2^64 addresses. */
    public boolean sizeIsFull() {
        return offsetWithinAddressSpace == 0 && lastInAddressSpace == U64.MAX;
    }

    /** Size in bytes; throws for a 2^64 section. */
    public long size() {
        return range().size();
    }

    /**
     * Host virtual address of the section's first byte, for RAM-backed regions: the RAM block's base
     * plus the region's offset in the block plus the offset within the region.
     */
    public long hostAddress() {
        if (region.ramBlock() == null) {
            throw new IllegalStateException("section of '" + region.name() + "' has no RAM block");
        }
        return region.ramBlock().base().value() + region.ramOffset() + offsetWithinRegion;
    }

    @Override
    public String toString() {
        return "section[" + region.name() + " " + range() + " +" + U64.hex(offsetWithinRegion)
                + (readonly ? " ro" : "") + "]";
    }
}
