package org.toyvm.memory;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.addr.U64;

/**
 * The flattened view of a region tree over [0, 2^64): sorted, non-overlapping ranges, each served
 * by one terminating region. Immutable.
 *
 * <p>A commit builds one in QEMU's three steps: {@link FlatRenderer} renders and simplifies into
 * scratch arrays, {@link FlatViewBuilder} makes the view, and {@link MemorySystem} diffs it against
 * the previous one. The ranges are held in chunks (about {@link #CHUNK} ranges each) that views
 * share: a commit reuses every chunk of the previous view whose ranges did not change, and the
 * previous view's {@link FlatRange} (with its section) for every unchanged range elsewhere, so what
 * a commit allocates grows with what changed, plus one reference per chunk.
 */
public final class FlatView {
    /** Ranges per chunk that a fresh chunk is cut at; chunks hold between CHUNK / 2 and 2 * CHUNK (the last fewer). */
    static final int CHUNK = 64;
    private static final FlatView EMPTY = new FlatView(new FlatRange[0][], new MemoryRegionSection[0][], new int[] {0});

    private final FlatRange[][] chunks;
    /** Each chunk's sections, shared along with it: the diff tells listeners of a shared chunk from these alone. */
    private final MemoryRegionSection[][] sections;
    /** {@code firstIndex[k]}: index of {@code chunks[k][0]}; the last element is the size. */
    private final int[] firstIndex;

    FlatView(FlatRange[][] chunks, MemoryRegionSection[][] sections, int[] firstIndex) {
        this.chunks = chunks;
        this.sections = sections;
        this.firstIndex = firstIndex;
    }

    public static FlatView empty() {
        return EMPTY;
    }

    /** Renders and simplifies the view of {@code root}. */
    public static FlatView render(MemoryRegion root) {
        FlatRenderer r = new FlatRenderer();
        r.renderAndSimplify(root);
        return new FlatViewBuilder().build(r, EMPTY);
    }

    int chunkCount() {
        return chunks.length;
    }

    FlatRange[] chunk(int k) {
        return chunks[k];
    }

    MemoryRegionSection[] chunkSections(int k) {
        return sections[k];
    }

    /** The ranges in address order (a read-only view). */
    public List<FlatRange> ranges() {
        return new AbstractList<>() {
            @Override
            public FlatRange get(int i) {
                return rangeAt(i);
            }

            @Override
            public int size() {
                return FlatView.this.size();
            }
        };
    }

    public int size() {
        return firstIndex[chunks.length];
    }

    FlatRange rangeAt(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("range " + i + " of " + size());
        }
        int lo = 0;
        int hi = chunks.length - 1;
        while (lo < hi) { // the last chunk starting at or before index i
            int mid = (lo + hi + 1) >>> 1;
            if (firstIndex[mid] <= i) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return chunks[lo][i - firstIndex[lo]];
    }

    /** The range containing {@code addr}, or null when nothing is mapped there. */
    public FlatRange lookup(long addr) {
        int lo = 0;
        int hi = chunks.length - 1;
        int k = -1;
        while (lo <= hi) { // the last chunk whose first range starts at or below addr
            int mid = (lo + hi) >>> 1;
            if (U64.le(chunks[mid][0].start(), addr)) {
                k = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (k < 0) {
            return null;
        }
        FlatRange[] c = chunks[k];
        lo = 0;
        hi = c.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            FlatRange r = c[mid];
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
        List<MemoryRegionSection> out = new ArrayList<>(size());
        for (FlatRange[] c : chunks) {
            for (FlatRange r : c) {
                out.add(r.section());
            }
        }
        return out;
    }

    /** A forward walk over the ranges (the diff's), one step O(1). */
    final class Cursor {
        private int k;
        private int p;

        /** The current range, or null past the end. */
        FlatRange peek() {
            return k < chunks.length ? chunks[k][p] : null;
        }

        void next() {
            if (++p == chunks[k].length) {
                k++;
                p = 0;
            }
        }

        /** True when both cursors stand at the start of one chunk the two views share. */
        boolean atSharedChunkWith(Cursor o) {
            return p == 0 && o.p == 0 && k < chunks.length && o.k < o.chunks().length && chunks[k] == o.chunks()[o.k];
        }

        private FlatRange[][] chunks() {
            return chunks;
        }

        /** The sections of the chunk this cursor stands at the start of; moves past it. */
        MemoryRegionSection[] skipChunk() {
            return sections[k++];
        }
    }
}
