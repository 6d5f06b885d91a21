package org.toyvm.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.toyvm.core.addr.U64;

/**
 * Makes a {@link FlatView} of what a {@link FlatRenderer} rendered, sharing with the previous view
 * all that did not change: a whole chunk when its ranges come back in the same order, otherwise the
 * single {@link FlatRange} (and its section) when one comes back equal in every field. Fresh ranges
 * are gathered into new chunks of {@link FlatView#CHUNK}.
 *
 * <p>Chunks stay between CHUNK / 2 and 2 * CHUNK ranges (only the view's last one may be smaller):
 * a chunk shorter than CHUNK / 2 is never shared whole, and fresh ranges short of CHUNK / 2 before a
 * shared chunk are joined to it, so small chunks do not pile up around the places that change.
 * One builder per memory system; its scratch buffer is reused by every commit.
 */
final class FlatViewBuilder {
    private static final int MIN_SHARED = FlatView.CHUNK / 2;
    private static final int MAX = 2 * FlatView.CHUNK;

    private final FlatRange[] pending = new FlatRange[MAX];
    private int pendingSize;
    private final List<FlatRange[]> out = new ArrayList<>();
    private final List<MemoryRegionSection[]> outSections = new ArrayList<>();

    FlatView build(FlatRenderer r, FlatView previous) {
        out.clear();
        outSections.clear();
        pendingSize = 0;
        int m = r.size();
        int i = 0;
        int k = 0; // previous view: chunk k, position p
        int p = 0;
        int oldChunks = previous.chunkCount();
        while (i < m) {
            long s = r.start(i);
            // Skip the previous view's ranges that start below this one: they are gone.
            while (k < oldChunks && U64.lt(previous.chunk(k)[p].start(), s)) {
                if (++p == previous.chunk(k).length) {
                    k++;
                    p = 0;
                }
            }
            FlatRange[] c = k < oldChunks ? previous.chunk(k) : null;
            if (c != null && p == 0 && c.length >= MIN_SHARED && i + c.length <= m && sameRanges(r, i, c)) {
                share(c, previous.chunkSections(k));
                i += c.length;
                k++;
                continue;
            }
            FlatRange same = c != null && r.matches(i, c[p]) ? c[p] : null;
            add(same != null ? same : r.toFlatRange(i));
            i++;
        }
        flush();
        FlatView v = sameChunks(previous) ? previous
                : new FlatView(out.toArray(new FlatRange[0][]), outSections.toArray(new MemoryRegionSection[0][]),
                        firstIndexes());
        out.clear();
        outSections.clear();
        return v;
    }

    private static boolean sameRanges(FlatRenderer r, int i, FlatRange[] c) {
        for (int t = 0; t < c.length; t++) {
            if (!r.matches(i + t, c[t])) {
                return false;
            }
        }
        return true;
    }

    private void add(FlatRange fr) {
        pending[pendingSize++] = fr;
        if (pendingSize == FlatView.CHUNK) {
            flush();
        }
    }

    /** A whole chunk of the previous view comes back unchanged. */
    private void share(FlatRange[] c, MemoryRegionSection[] sections) {
        if (pendingSize > 0 && pendingSize < MIN_SHARED && pendingSize + c.length <= MAX) {
            System.arraycopy(c, 0, pending, pendingSize, c.length); // join the few fresh ranges to it
            pendingSize += c.length;
            flush();
            return;
        }
        flush();
        out.add(c);
        outSections.add(sections);
    }

    private void flush() {
        if (pendingSize > 0) {
            FlatRange[] c = Arrays.copyOf(pending, pendingSize);
            MemoryRegionSection[] ss = new MemoryRegionSection[c.length];
            for (int t = 0; t < c.length; t++) {
                ss[t] = c[t].section();
            }
            out.add(c);
            outSections.add(ss);
            Arrays.fill(pending, 0, pendingSize, null);
            pendingSize = 0;
        }
    }

    private boolean sameChunks(FlatView previous) {
        if (out.size() != previous.chunkCount()) {
            return false;
        }
        for (int k = 0; k < out.size(); k++) {
            if (out.get(k) != previous.chunk(k)) {
                return false;
            }
        }
        return true;
    }

    private int[] firstIndexes() {
        int[] f = new int[out.size() + 1];
        for (int k = 0; k < out.size(); k++) {
            f[k + 1] = f[k] + out.get(k).length;
        }
        return f;
    }
}
