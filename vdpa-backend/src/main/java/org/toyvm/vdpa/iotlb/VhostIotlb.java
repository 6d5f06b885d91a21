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
    // Lookup index: starts (biased by 2^63 so that signed order is unsigned order) and entries,
    // rebuilt on the first lookup after a change. Lookups are the hot path (every DMA miss of the
    // NIC's cache); changes are rare.
    private long[] biasedStarts = new long[0];
    private DmaEntry[] sorted = new DmaEntry[0];
    private long indexedGeneration = -1;

    /**
     * Adds {@code [start, last] -> addr}. The caller has checked that nothing overlaps. A range of
     * every address is stored as two entries.
     *
     * @throws IllegalArgumentException when {@code last < start} or the range overlaps an entry
     */
    public void add(long start, long last, long addr, int perm) {
        if (U64.lt(last, start)) {
            throw new IllegalArgumentException("IOTLB range last " + U64.hex(last) + " is below start " + U64.hex(start));
        }
        if (firstOverlap(start, last) != null) {
            throw new IllegalArgumentException("IOTLB range [" + U64.hex(start) + ", " + U64.hex(last)
                    + "] overlaps " + firstOverlap(start, last));
        }
        if (start == 0 && last == U64.MAX) {
            put(new DmaEntry(0, FULL_RANGE_SPLIT, addr, perm, false));
            put(new DmaEntry(FULL_RANGE_SPLIT + 1, U64.MAX, addr + FULL_RANGE_SPLIT + 1, perm, false));
        } else {
            put(new DmaEntry(start, last, addr, perm, false));
        }
    }

    private void put(DmaEntry e) {
        byStart.put(e.start(), e);
        generation++;
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

    /** Every entry overlapping {@code [start, last]}, in start order. */
    public List<DmaEntry> overlapping(long start, long last) {
        if (U64.lt(last, start)) {
            return List.of();
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
        generation++;
    }

    /** Removes every entry overlapping {@code [start, last]} whole, answering them in start order. */
    public List<DmaEntry> removeOverlapping(long start, long last) {
        List<DmaEntry> gone = overlapping(start, last);
        for (DmaEntry e : gone) {
            byStart.remove(e.start());
        }
        if (!gone.isEmpty()) {
            generation++;
        }
        return gone;
    }

    @Override
    public DmaEntry find(long iova) {
        if (indexedGeneration != generation) {
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
            generation++;
        }
    }

    /** A copy (for parents that take the whole table, as mlx5's set_map builds its MR from it). */
    public VhostIotlb copy() {
        VhostIotlb c = new VhostIotlb();
        c.byStart.putAll(byStart);
        return c;
    }
}
