package org.toyvm.memory;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.toyvm.core.addr.U64;

/**
 * The flattened view of a region tree over [0, 2^64): sorted, non-overlapping ranges, each served
 * by one terminating region.
 *
 * <p>Rendering follows QEMU: skip disabled regions; offset by the region's address; clip; an alias
 * renders its target shifted by (alias address − alias offset); subregions render in list order
 * (highest priority first); a terminating region then fills only the gaps its children left.
 * Ranges already placed hide later ones. Placed ranges live in a tree keyed by start, so filling the
 * gaps of a new range costs O((k + 1) log n) for the k ranges it meets: rendering is near-linear.
 * Positions are computed exactly (an alias can shift its target below 0), then clipped to 64 bits.
 */
public final class FlatView {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger LAST = TWO_64.subtract(BigInteger.ONE);

    private final FlatRange[] ranges;

    private FlatView(List<FlatRange> ranges) {
        this.ranges = ranges.toArray(new FlatRange[0]);
    }

    public static FlatView empty() {
        return new FlatView(List.of());
    }

    /** Renders and simplifies the view of {@code root}. */
    public static FlatView render(MemoryRegion root) {
        TreeMap<Long, FlatRange> placed = new TreeMap<>(Long::compareUnsigned);
        renderRegion(placed, root, 0, 0, U64.MAX, false, false);
        List<FlatRange> out = new ArrayList<>(placed.size());
        for (FlatRange r : placed.values()) {
            int n = out.size();
            if (n > 0 && out.get(n - 1).canMergeWith(r)) {
                out.set(n - 1, out.get(n - 1).mergedWith(r));
            } else {
                out.add(r);
            }
        }
        return new FlatView(out);
    }

    private static BigInteger unsigned(long v) {
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(TWO_64);
    }

    /**
     * The common case: the region's position is an exact unsigned 64-bit value. Falls back to
     * {@link #renderWide} when a position would leave [0, 2^64) (an alias shifting its target below 0).
     */
    private static void renderRegion(TreeMap<Long, FlatRange> placed, MemoryRegion mr, long base, long clipStart,
            long clipLast, boolean readonly, boolean nonvolatile) {
        if (!mr.enabled()) {
            return;
        }
        if (U64.addOverflows(base, mr.addr())) {
            renderWide(placed, mr, unsigned(base), clipStart, clipLast, readonly, nonvolatile);
            return;
        }
        base += mr.addr();
        long s = U64.max(base, clipStart);
        long l = U64.addOverflows(base, mr.last()) ? clipLast : U64.min(base + mr.last(), clipLast);
        if (U64.gt(s, l)) {
            return;
        }
        readonly |= mr.readonly();
        nonvolatile |= mr.nonvolatile();
        if (mr.kind() == RegionKind.ALIAS) {
            MemoryRegion target = mr.aliasTarget();
            long shift = target.addr() + mr.aliasOffset();
            if (U64.addOverflows(target.addr(), mr.aliasOffset()) || U64.lt(base, shift)) {
                renderWide(placed, target, unsigned(base).subtract(unsigned(target.addr()))
                        .subtract(unsigned(mr.aliasOffset())), s, l, readonly, nonvolatile);
            } else {
                // The target's own address is added back when it renders: cancel it here.
                renderRegion(placed, target, base - shift, s, l, readonly, nonvolatile);
            }
            return;
        }
        for (MemoryRegion sub : mr.subregions()) {
            renderRegion(placed, sub, base, s, l, readonly, nonvolatile);
        }
        if (mr.kind().terminates()) {
            fillGaps(placed, s, l, mr, s - base, readonly, nonvolatile);
        }
    }

    /** The same rendering with exact (BigInteger) positions, for the rare shifts outside [0, 2^64). */
    private static void renderWide(TreeMap<Long, FlatRange> placed, MemoryRegion mr, BigInteger base,
            long clipStart, long clipLast, boolean readonly, boolean nonvolatile) {
        if (!mr.enabled()) {
            return;
        }
        base = base.add(unsigned(mr.addr()));
        BigInteger rs = base.max(unsigned(clipStart));
        BigInteger rl = base.add(unsigned(mr.last())).min(unsigned(clipLast));
        if (rs.compareTo(rl) > 0) {
            return;
        }
        long s = rs.longValue();
        long l = rl.longValue();
        readonly |= mr.readonly();
        nonvolatile |= mr.nonvolatile();
        if (mr.kind() == RegionKind.ALIAS) {
            MemoryRegion target = mr.aliasTarget();
            renderWide(placed, target, base.subtract(unsigned(target.addr())).subtract(unsigned(mr.aliasOffset())),
                    s, l, readonly, nonvolatile);
            return;
        }
        for (MemoryRegion sub : mr.subregions()) {
            renderWide(placed, sub, base, s, l, readonly, nonvolatile);
        }
        if (!mr.kind().terminates()) {
            return;
        }
        long offsetAtS = rs.subtract(base).longValue();
        fillGaps(placed, s, l, mr, offsetAtS, readonly, nonvolatile);
    }

    /** Places the parts of {@code [s, l]} that no earlier range covers. */
    private static void fillGaps(TreeMap<Long, FlatRange> placed, long s, long l, MemoryRegion mr, long offsetAtS,
            boolean readonly, boolean nonvolatile) {
        long cur = s;
        while (true) {
            Map.Entry<Long, FlatRange> f = placed.floorEntry(cur);
            if (f != null && U64.ge(f.getValue().last(), cur)) {
                long end = f.getValue().last();
                if (U64.ge(end, l)) {
                    return;
                }
                cur = end + 1;
                continue;
            }
            Map.Entry<Long, FlatRange> c = placed.ceilingEntry(cur);
            long gapLast = c == null || U64.gt(c.getKey(), l) ? l : c.getKey() - 1;
            placed.put(cur, new FlatRange(cur, gapLast, mr, offsetAtS + (cur - s), readonly, mr.romdMode(),
                    nonvolatile, mr.unmergeable(), mr.dirtyLogMask()));
            if (gapLast == l) {
                return;
            }
            cur = gapLast + 1;
        }
    }

    public List<FlatRange> ranges() {
        return Collections.unmodifiableList(java.util.Arrays.asList(ranges));
    }

    public int size() {
        return ranges.length;
    }

    FlatRange rangeAt(int i) {
        return ranges[i];
    }

    /** The range containing {@code addr}, or null when nothing is mapped there. */
    public FlatRange lookup(long addr) {
        int lo = 0;
        int hi = ranges.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            FlatRange r = ranges[mid];
            if (U64.lt(addr, r.start())) {
                hi = mid - 1;
            } else if (U64.gt(addr, r.last())) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }

    /** Every range as a section. */
    public List<MemoryRegionSection> sections() {
        List<MemoryRegionSection> out = new ArrayList<>(ranges.length);
        for (FlatRange r : ranges) {
            out.add(r.section());
        }
        return out;
    }
}
