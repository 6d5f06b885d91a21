package org.toyvm.vdpa.iotlb;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.toyvm.core.addr.U64;
import org.toyvm.vdpa.dma.DmaEntry;
import org.toyvm.vdpa.dma.DmaTranslation;

/**
 * {@code struct vhost_iotlb}: IOVA ranges {@code [start, last]} (inclusive) mapped to addresses with
 * a permission.
 *
 * <p>Entries of one table never overlap (vhost-vdpa refuses an overlapping UPDATE before it adds),
 * so a tree keyed by start answers an overlap query in O(log n + k): the one entry that may start
 * before the query range is the floor entry, every other overlapping entry starts inside the range
 * and follows it in key order. Keys compare unsigned.
 *
 * <pre>
 *   query          [s ........................ l]
 *   entries   [a ....... ]   [b ... ]   [c ....... ]   [d ...]
 *             floor(s)       in (s, l] in key order      start > l: stop
 * </pre>
 */
public final class VhostIotlb implements DmaTranslation {
    /** Where a mapping of all 2^64 addresses is split (its size would not fit in 64 bits). */
    public static final long FULL_RANGE_SPLIT = U64.MAX >>> 1;

    private final TreeMap<Long, DmaEntry> byStart = new TreeMap<>(Long::compareUnsigned);
    private long generation;
    // Lookup index: starts (biased by 2^63 so that signed order is unsigned order) and entries in a
    // flat sorted array, searched without boxing. Changes never rebuild it (an insert or remove is
    // O(log n) in the tree alone): after a change, lookups go to the tree until enough of them have
    // been made to pay for one O(n) rebuild (n / REBUILD_EVERY_NTH_ENTRY of them), so a
    // stream of per-page inserts (a 1 GiB shmem UPDATE is 262,144 entries) costs O(n log n), and a
    // lookup-heavy steady state (the NIC's DMA path) runs on the array.
    private long[] biasedStarts = new long[0];
    private DmaEntry[] sorted = new DmaEntry[0];
    private long indexedGeneration = -1;
    private long staleLookups;
    private long indexBuilds;
    /** Tree lookups after a change, per entry, before the flat index is rebuilt (1 in 8 entries). */
    private static final int REBUILD_EVERY_NTH_ENTRY = 8;
    /** Below this many entries the index is rebuilt on the first lookup after a change. */
    private static final int SMALL = 64;

    /**
     * Adds {@code [start, last] -> addr}. The caller has checked that nothing overlaps. A range of
     * every address is stored as two entries.
     *
     * @return the entry that starts at {@code start}
     * @throws IllegalArgumentException when {@code last < start} or the range overlaps an entry
     *     (callers check both first: vhost_iotlb_add_range_ctx returns -EFAULT on {@code last < start})
     */
    public DmaEntry add(long start, long last, long addr, int perm) {
        if (U64.lt(last, start)) {
            throw new IllegalArgumentException("IOTLB range last " + U64.hex(last) + " is below start " + U64.hex(start));
        }
        DmaEntry clash = firstOverlap(start, last);
        if (clash != null) {
            throw new IllegalArgumentException("IOTLB range [" + U64.hex(start) + ", " + U64.hex(last)
                    + "] overlaps " + clash);
        }
        if (start == 0 && last == U64.MAX) {
            DmaEntry low = new DmaEntry(0, FULL_RANGE_SPLIT, addr, perm, false);
            put(low);
            put(new DmaEntry(FULL_RANGE_SPLIT + 1, U64.MAX, addr + FULL_RANGE_SPLIT + 1, perm, false));
            return low;
        }
        DmaEntry e = new DmaEntry(start, last, addr, perm, false);
        put(e);
        return e;
    }

    /** The entry starting exactly at {@code start}, or null (O(log n), never touches the lookup index). */
    public DmaEntry entryAt(long start) {
        return byStart.get(start);
    }

    private void put(DmaEntry e) {
        byStart.put(e.start(), e);
        changed();
    }

    private void changed() {
        generation++;
        staleLookups = 0;
    }

    /** The entry overlapping {@code [start, last]} with the lowest start, or null. */
    public DmaEntry firstOverlap(long start, long last) {
        Map.Entry<Long, DmaEntry> f = byStart.floorEntry(start);
        if (f != null && U64.ge(f.getValue().last(), start)) {
            return f.getValue();
        }
        Map.Entry<Long, DmaEntry> c = byStart.ceilingEntry(start);
        return c != null && U64.le(c.getKey(), last) ? c.getValue() : null;
    }

    /**
     * Every entry the interval tree's query {@code (start, last)} answers, in start order: those with
     * {@code entry.start <= last && entry.last >= start} (INTERVAL_TREE_DEFINE's overlap test, used by
     * vhost_iotlb_itree_first / vhost_iotlb_del_range). For {@code start <= last} that is every entry
     * overlapping the range; a wrapped query ({@code last < start}, as an INVALIDATE of size 0 or one
     * whose end wraps past 2^64 produces) answers only the entry holding both {@code last} and
     * {@code start}, if any.
     */
    public List<DmaEntry> overlapping(long start, long last) {
        if (U64.lt(last, start)) {
            Map.Entry<Long, DmaEntry> f = byStart.floorEntry(last);
            return f != null && U64.ge(f.getValue().last(), start) ? List.of(f.getValue()) : List.of();
        }
        List<DmaEntry> out = new ArrayList<>();
        Map.Entry<Long, DmaEntry> f = byStart.floorEntry(start);
        Long from = f != null && U64.ge(f.getValue().last(), start) ? f.getKey() : Long.valueOf(start);
        for (DmaEntry e : byStart.tailMap(from, true).values()) {
            if (U64.gt(e.start(), last)) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Removes {@code e} (an entry of this table). */
    public void remove(DmaEntry e) {
        if (byStart.get(e.start()) != e) {
            throw new IllegalArgumentException(e + " is not in this IOTLB");
        }
        byStart.remove(e.start());
        changed();
    }

    /** Removes every entry overlapping {@code [start, last]} whole, answering them in start order. */
    public List<DmaEntry> removeOverlapping(long start, long last) {
        List<DmaEntry> gone = overlapping(start, last);
        for (DmaEntry e : gone) {
            byStart.remove(e.start());
        }
        if (!gone.isEmpty()) {
            changed();
        }
        return gone;
    }

    @Override
    public DmaEntry find(long iova) {
        if (indexedGeneration != generation) {
            int n = byStart.size();
            if (n > SMALL && ++staleLookups < n / REBUILD_EVERY_NTH_ENTRY) {
                return findInTree(iova);
            }
            reindex();
        }
        long key = iova ^ Long.MIN_VALUE;
        long[] a = biasedStarts;
        int n = a.length;
        if (n == 0 || a[0] > key) {
            return null;
        }
        // Branch-free binary search for the last start <= iova: the comparison becomes a
        // conditional move, so unpredictable probes do not stall on mispredicted branches.
        int base = 0;
        while (n > 1) {
            int half = n >>> 1;
            base = a[base + half] <= key ? base + half : base;
            n -= half;
        }
        DmaEntry e = sorted[base];
        return U64.ge(e.last(), iova) ? e : null;
    }

    private DmaEntry findInTree(long iova) {
        Map.Entry<Long, DmaEntry> f = byStart.floorEntry(iova);
        return f != null && U64.ge(f.getValue().last(), iova) ? f.getValue() : null;
    }

    private void reindex() {
        int n = byStart.size();
        long[] a = new long[n];
        DmaEntry[] es = new DmaEntry[n];
        int i = 0;
        for (DmaEntry e : byStart.values()) {
            a[i] = e.start() ^ Long.MIN_VALUE;
            es[i++] = e;
        }
        biasedStarts = a;
        sorted = es;
        indexedGeneration = generation;
        indexBuilds++;
    }

    /** How many times the flat lookup index was built (for tests of the cost of changes). */
    long indexBuilds() {
        return indexBuilds;
    }

    @Override
    public long generation() {
        return generation;
    }

    public int size() {
        return byStart.size();
    }

    public boolean isEmpty() {
        return byStart.isEmpty();
    }

    /** The entries in start order (a read-only view). */
    public Collection<DmaEntry> entries() {
        return Collections.unmodifiableCollection(byStart.values());
    }

    /** Sum of the sizes of all entries, saturating at 2^64 − 1 (for MR-build costs). */
    public long totalBytes() {
        long sum = 0;
        for (DmaEntry e : byStart.values()) {
            long size = e.last() - e.start() + 1; // 0 for [0, 2^64-1] halves never happens: halves are 2^63
            if (U64.addOverflows(sum, size)) {
                return U64.MAX;
            }
            sum += size;
        }
        return sum;
    }

    public void clear() {
        if (!byStart.isEmpty()) {
            byStart.clear();
            changed();
        }
    }

    /** A copy (for parents that take the whole table, as mlx5's set_map builds its MR from it). */
    public VhostIotlb copy() {
        VhostIotlb c = new VhostIotlb();
        c.byStart.putAll(byStart);
        return c;
    }
}
