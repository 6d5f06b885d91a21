package org.toyvm.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.toyvm.core.addr.U64;

/**
 * The flattened view of a region tree over [0, 2^64): sorted, non-overlapping ranges, each served
 * by one terminating region. Immutable.
 *
 * <p>A commit builds one in QEMU's three steps: {@link FlatRenderer} renders and simplifies into
 * scratch arrays, {@link #build} makes the view, and {@link MemorySystem} diffs it against the
 * previous one. Building reuses the previous view's {@link FlatRange} (and so its section) for
 * every range that did not change, and the previous view itself when nothing did: what a commit
 * allocates grows with what changed, plus one array of references for the new view.
 */
public final class FlatView {
    private static final FlatView EMPTY = new FlatView(new FlatRange[0]);

    private final FlatRange[] ranges;

    private FlatView(FlatRange[] ranges) {
        this.ranges = ranges;
    }

    public static FlatView empty() {
        return EMPTY;
    }

    /** Renders and simplifies the view of {@code root}. */
    public static FlatView render(MemoryRegion root) {
        FlatRenderer r = new FlatRenderer();
        r.renderAndSimplify(root);
        return build(r, EMPTY);
    }

    /**
     * The view of what {@code r} rendered, sharing with {@code previous} every range that is equal
     * in all fields; {@code previous} itself when every range is.
     */
    static FlatView build(FlatRenderer r, FlatView previous) {
        int m = r.size();
        FlatRange[] old = previous.ranges;
        FlatRange[] out = null;
        int j = 0;
        for (int i = 0; i < m; i++) {
            long s = r.start(i);
            while (j < old.length && U64.lt(old[j].start(), s)) {
                j++;
            }
            FlatRange same = j < old.length && r.matches(i, old[j]) ? old[j] : null;
            if (out == null) {
                if (same != null && i == j) {
                    continue; // still a prefix of the previous view
                }
                out = new FlatRange[m];
                System.arraycopy(old, 0, out, 0, i);
            }
            out[i] = same != null ? same : r.toFlatRange(i);
        }
        if (out == null) {
            return m == old.length ? previous : new FlatView(Arrays.copyOf(old, m));
        }
        return new FlatView(out);
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
