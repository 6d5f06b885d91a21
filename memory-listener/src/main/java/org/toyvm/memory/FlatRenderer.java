package org.toyvm.memory;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.toyvm.core.addr.U64;

/**
 * The first two steps of a commit, into scratch arrays one memory system reuses from commit to
 * commit: <b>render</b> (QEMU's generate_memory_topology / render_memory_region) places the ranges
 * a region tree shows, and <b>simplify</b> (flatview_simplify) merges neighbours that can merge.
 * {@link FlatView#build} then turns the result into a view, reusing the previous view's ranges.
 *
 * <p>Rendering follows QEMU: skip disabled regions; offset by the region's address; clip; an alias
 * renders its target shifted by (alias address − alias offset); subregions render in list order
 * (highest priority first); a terminating region then fills only the gaps its children left.
 * Ranges already placed hide later ones. Positions are computed exactly (an alias can shift its
 * target below 0), then clipped to 64 bits. readonly, nonvolatile and unmergeable are inherited
 * down the walk — through containers to their subregions and through an alias to its target — as
 * render_memory_region passes them (system/memory.c; unmergeable since QEMU 8.2): a range is
 * unmergeable when any region on its path is.
 *
 * <p>Placed ranges are kept sorted by start in parallel primitive arrays with a gap (a gap buffer):
 * an insertion moves the gap to its position and writes into it, so a run of insertions at or next
 * to the same place (siblings rendered in ascending or descending address order, the shape of
 * every real machine) costs O(1) each, and finding where a range goes is a binary search. Nothing
 * is allocated once the arrays have grown to the largest view seen. Insertions in random address
 * order would move the gap by O(n) each; QEMU's own flatview_insert (a memmove) has the same bound.
 */
final class FlatRenderer {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final int READONLY = 1;
    private static final int ROMD = 2;
    private static final int NONVOLATILE = 4;
    private static final int UNMERGEABLE = 8;

    private long[] starts = new long[4];
    private long[] lasts = new long[4];
    private long[] offsets = new long[4];
    private MemoryRegion[] regions = new MemoryRegion[4];
    private byte[] attrs = new byte[4];
    private int[] dirty = new int[4];
    private int size;
    /** Logical index i lives at i below gapStart, at i + (gapEnd - gapStart) from gapStart on. */
    private int gapStart;
    private int gapEnd = 4;
    private int lastInsert = -1;

    /** Renders {@code root} and simplifies the result; read it with the accessors below. */
    void renderAndSimplify(MemoryRegion root) {
        reset();
        renderRegion(root, 0, 0, U64.MAX, false, false, false);
        simplify();
    }

    private void reset() {
        lastInsert = -1;
        size = 0;
        gapStart = 0;
        gapEnd = starts.length;
    }

    // ---------------------------------------------------------------- render

    private static BigInteger unsigned(long v) {
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(TWO_64);
    }

    /**
     * The common case: the region's position is an exact unsigned 64-bit value. Falls back to
     * {@link #renderWide} when a position would leave [0, 2^64) (an alias shifting its target below 0).
     */
    private void renderRegion(MemoryRegion mr, long base, long clipStart, long clipLast, boolean readonly,
            boolean nonvolatile, boolean unmergeable) {
        if (!mr.enabled()) {
            return;
        }
        if (U64.addOverflows(base, mr.addr())) {
            renderWide(mr, unsigned(base), clipStart, clipLast, readonly, nonvolatile, unmergeable);
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
        unmergeable |= mr.unmergeable();
        if (mr.kind() == RegionKind.ALIAS) {
            MemoryRegion target = mr.aliasTarget();
            long shift = target.addr() + mr.aliasOffset();
            if (U64.addOverflows(target.addr(), mr.aliasOffset()) || U64.lt(base, shift)) {
                renderWide(target, unsigned(base).subtract(unsigned(target.addr())).subtract(unsigned(mr.aliasOffset())),
                        s, l, readonly, nonvolatile, unmergeable);
            } else {
                // The target's own address is added back when it renders: cancel it here.
                renderRegion(target, base - shift, s, l, readonly, nonvolatile, unmergeable);
            }
            return;
        }
        if (mr.hasSubregions()) {
            List<MemoryRegion> subs = mr.subregionList();
            for (int k = 0; k < subs.size(); k++) {
                renderRegion(subs.get(k), base, s, l, readonly, nonvolatile, unmergeable);
            }
        }
        if (mr.kind().terminates()) {
            fillGaps(s, l, mr, s - base, readonly, nonvolatile, unmergeable);
        }
    }

    /** The same rendering with exact (BigInteger) positions, for the rare shifts outside [0, 2^64). */
    private void renderWide(MemoryRegion mr, BigInteger base, long clipStart, long clipLast, boolean readonly,
            boolean nonvolatile, boolean unmergeable) {
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
        unmergeable |= mr.unmergeable();
        if (mr.kind() == RegionKind.ALIAS) {
            MemoryRegion target = mr.aliasTarget();
            renderWide(target, base.subtract(unsigned(target.addr())).subtract(unsigned(mr.aliasOffset())), s, l,
                    readonly, nonvolatile, unmergeable);
            return;
        }
        List<MemoryRegion> subs = mr.subregionList();
        for (int k = 0; k < subs.size(); k++) {
            renderWide(subs.get(k), base, s, l, readonly, nonvolatile, unmergeable);
        }
        if (!mr.kind().terminates()) {
            return;
        }
        fillGaps(s, l, mr, rs.subtract(base).longValue(), readonly, nonvolatile, unmergeable);
    }

    /** Places the parts of {@code [s, l]} that no earlier range covers. */
    private void fillGaps(long s, long l, MemoryRegion mr, long offsetAtS, boolean readonly, boolean nonvolatile,
            boolean unmergeable) {
        int a = (readonly ? READONLY : 0) | (mr.romdMode() ? ROMD : 0) | (nonvolatile ? NONVOLATILE : 0)
                | (unmergeable ? UNMERGEABLE : 0);
        long cur = s;
        int i = floor(cur);
        while (true) {
            if (i >= 0 && U64.ge(lasts[phys(i)], cur)) {
                long end = lasts[phys(i)];
                if (U64.ge(end, l)) {
                    return;
                }
                cur = end + 1;
                // Ranges are disjoint and sorted: the next one starts at cur or later.
                if (i + 1 < size && starts[phys(i + 1)] == cur) {
                    i++;
                }
                continue;
            }
            int c = i + 1; // the first range starting after cur, if any
            long gapLast = c >= size || U64.gt(starts[phys(c)], l) ? l : starts[phys(c)] - 1;
            insert(c, cur, gapLast, mr, offsetAtS + (cur - s), a, mr.dirtyLogMask());
            if (gapLast == l) {
                return;
            }
            cur = gapLast + 1;
            i = c + 1; // the range that was the ceiling starts exactly at cur
        }
    }

    private int phys(int i) {
        return i < gapStart ? i : i + (gapEnd - gapStart);
    }

    /** The logical index of the last range starting at or below {@code addr}, or -1. */
    private int floor(long addr) {
        // Most insertions land next to the previous one (siblings in descending or ascending
        // address order): try the ranges on either side of the gap before searching.
        int g = gapStart;
        if (g > 0 && U64.gt(starts[g - 1], addr)) {
            if (g == 1 || U64.le(starts[g - 2], addr)) {
                return g - 2;
            }
        } else if (g == size || U64.gt(starts[gapEnd], addr)) {
            return g - 1;
        } else if (g + 1 == size || U64.gt(starts[gapEnd + 1], addr)) {
            return g;
        }
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (U64.le(starts[phys(mid)], addr)) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private void insert(int at, long start, long last, MemoryRegion mr, long offset, int a, int dirtyMask) {
        if (gapStart == gapEnd) {
            grow();
        }
        moveGapTo(at);
        // Logical index gapStart can be written on either side of the gap: after the previous
        // insertion (ascending order) at the gap's front, before it (descending) at its back, so
        // that a run in either order moves nothing.
        boolean descending = at <= lastInsert;
        lastInsert = at;
        int p = descending ? --gapEnd : gapStart++;
        starts[p] = start;
        lasts[p] = last;
        offsets[p] = offset;
        regions[p] = mr;
        attrs[p] = (byte) a;
        dirty[p] = dirtyMask;
        size++;
    }

    private void moveGapTo(int at) {
        if (at < gapStart) {
            int n = gapStart - at;
            moveAll(at, gapEnd - n, n);
            gapStart = at;
            gapEnd -= n;
        } else if (at > gapStart) {
            int n = at - gapStart;
            moveAll(gapEnd, gapStart, n);
            gapStart = at;
            gapEnd += n;
        }
    }

    private void moveAll(int from, int to, int n) {
        if (n <= 4) { // the usual step of the gap: cheaper than six arraycopy calls
            for (int t = 0; t < n; t++) {
                int a = from < to ? from + n - 1 - t : from + t; // overlapping ranges: copy away from the overlap
                int b = a - from + to;
                starts[b] = starts[a];
                lasts[b] = lasts[a];
                offsets[b] = offsets[a];
                regions[b] = regions[a];
                attrs[b] = attrs[a];
                dirty[b] = dirty[a];
            }
            return;
        }
        System.arraycopy(starts, from, starts, to, n);
        System.arraycopy(lasts, from, lasts, to, n);
        System.arraycopy(offsets, from, offsets, to, n);
        System.arraycopy(regions, from, regions, to, n);
        System.arraycopy(attrs, from, attrs, to, n);
        System.arraycopy(dirty, from, dirty, to, n);
    }

    private void grow() {
        int cap = starts.length;
        int newCap = cap * 2;
        int tail = cap - gapEnd;
        starts = regrow(starts, newCap, tail);
        lasts = regrow(lasts, newCap, tail);
        offsets = regrow(offsets, newCap, tail);
        MemoryRegion[] r = new MemoryRegion[newCap];
        System.arraycopy(regions, 0, r, 0, gapStart);
        System.arraycopy(regions, gapEnd, r, newCap - tail, tail);
        regions = r;
        byte[] b = new byte[newCap];
        System.arraycopy(attrs, 0, b, 0, gapStart);
        System.arraycopy(attrs, gapEnd, b, newCap - tail, tail);
        attrs = b;
        int[] d = new int[newCap];
        System.arraycopy(dirty, 0, d, 0, gapStart);
        System.arraycopy(dirty, gapEnd, d, newCap - tail, tail);
        dirty = d;
        gapEnd = newCap - tail;
    }

    private long[] regrow(long[] a, int newCap, int tail) {
        long[] b = new long[newCap];
        System.arraycopy(a, 0, b, 0, gapStart);
        System.arraycopy(a, gapEnd, b, newCap - tail, tail);
        return b;
    }

    // ---------------------------------------------------------------- simplify

    /**
     * flatview_simplify: merges each range into its predecessor when QEMU's can_merge allows, and
     * when any do, closes the gap on the way: range r is read where it lies, at or after slot r, and written to
     * slot w <= r, so nothing is overwritten before it is read. Slots past the result drop their
     * region references.
     */
    private void simplify() {
        int merges = 0;
        for (int i = 1; i < size && merges == 0; i++) {
            merges += canMerge(phys(i - 1), phys(i)) ? 1 : 0;
        }
        if (merges == 0) { // the usual case: the ranges stay where they are, read through phys()
            Arrays.fill(regions, gapStart, gapEnd, null);
            return;
        }
        int w = 0;
        for (int i = 0; i < size; i++) {
            int r = phys(i);
            if (w > 0 && canMerge(w - 1, r)) {
                lasts[w - 1] = lasts[r];
                continue;
            }
            if (w != r) {
                starts[w] = starts[r];
                lasts[w] = lasts[r];
                offsets[w] = offsets[r];
                regions[w] = regions[r];
                attrs[w] = attrs[r];
                dirty[w] = dirty[r];
            }
            w++;
        }
        Arrays.fill(regions, w, regions.length, null);
        size = w;
        gapStart = w;
        gapEnd = starts.length;
    }

    /** QEMU's can_merge, on two placed ranges (see {@link FlatRange#canMergeWith}). */
    private boolean canMerge(int a, int b) {
        return lasts[a] != -1L && lasts[a] + 1 == starts[b] && regions[a] == regions[b]
                && offsets[a] + (lasts[a] - starts[a] + 1) == offsets[b] && attrs[a] == attrs[b]
                && dirty[a] == dirty[b] && (attrs[a] & UNMERGEABLE) == 0;
    }

    // ---------------------------------------------------------------- the result (after renderAndSimplify)

    int size() {
        return size;
    }

    long start(int i) {
        return starts[phys(i)];
    }

    /** True when range {@code i} equals {@code r} in every field (so {@code r} can stand for it). */
    boolean matches(int i, FlatRange r) {
        int p = phys(i);
        return r.start() == starts[p] && r.last() == lasts[p] && r.region() == regions[p]
                && r.offsetInRegion() == offsets[p] && r.readonly() == ((attrs[p] & READONLY) != 0)
                && r.romdMode() == ((attrs[p] & ROMD) != 0) && r.nonvolatile() == ((attrs[p] & NONVOLATILE) != 0)
                && r.unmergeable() == ((attrs[p] & UNMERGEABLE) != 0) && r.dirtyLogMask() == dirty[p];
    }

    FlatRange toFlatRange(int i) {
        int p = phys(i);
        int a = attrs[p];
        return new FlatRange(starts[p], lasts[p], regions[p], offsets[p], (a & READONLY) != 0, (a & ROMD) != 0,
                (a & NONVOLATILE) != 0, (a & UNMERGEABLE) != 0, dirty[p]);
    }
}
