package org.toyvm.vdpa.iotlb;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.DmaTranslation;

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
    // Lookup index: a bucketed flat snapshot of the entries (IotlbIndex), searched without boxing.
    // Changes never rebuild it (an insert or remove is O(log n) in the tree alone): after a change,
    // lookups go to the tree until enough of them have been made to pay for one O(n) rebuild
    // (n / REBUILD_EVERY_NTH_ENTRY of them), so a stream of per-page inserts (a 1 GiB shmem UPDATE
    // is 262,144 entries) costs O(n log n), and a lookup-heavy steady state (the NIC's DMA path)
    // runs on the index.
    private IotlbIndex index = IotlbIndex.EMPTY;
    private long indexedGeneration = -1;
    private long staleLookups;
    private long indexBuilds;
    // Sum of the entry sizes modulo 2^64 (disjoint entries sum to at most 2^64, which reads as 0 with
    // entries present), kept as entries come and go so that totalBytes() is O(1).
    private long bytes;
    // The changes since journalStartSeq, in order, so that a parent holding a copy made at some
    // sequence number can catch up in O(k log n) instead of copying n entries (mlx5's set_map after
    // every per-page entry outside a batch). Dropped when it grows past the table it describes.
    private record Change(boolean added, DmaEntry entry) {
    }

    private final ArrayList<Change> journal = new ArrayList<>();
    private long journalStartSeq;
    private long changeSeq;
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
        bytes += e.last() - e.start() + 1;
        journal(true, e);
        changed();
    }

    private void removed(DmaEntry e) {
        bytes -= e.last() - e.start() + 1;
        journal(false, e);
    }

    private void journal(boolean added, DmaEntry e) {
        changeSeq++;
        if (journal.size() >= Math.max(1024, 2 * byStart.size())) {
            journal.clear(); // a copy is now cheaper than the replay: consumers that are behind copy
            journalStartSeq = changeSeq;
            return;
        }
        journal.add(new Change(added, e));
    }

    /** The number of entry changes so far (for {@link #replayInto}). */
    public long changeSeq() {
        return changeSeq;
    }

    /**
     * Makes {@code target}, a copy of this table as it was at change {@code sinceSeq}, equal to this
     * table by replaying the changes since, in O(k log n). Answers false, leaving {@code target}
     * unchanged, when those changes are no longer journaled (the caller then copies).
     */
    public boolean replayInto(VhostIotlb target, long sinceSeq) {
        if (sinceSeq < journalStartSeq || sinceSeq > changeSeq) {
            return false;
        }
        int from = (int) (sinceSeq - journalStartSeq);
        for (int i = from; i < journal.size(); i++) {
            Change c = journal.get(i);
            if (c.added()) {
                target.put(c.entry());
            } else if (target.byStart.remove(c.entry().start()) != null) {
                target.removed(c.entry());
                target.changed();
            }
        }
        return true;
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
        removed(e);
        changed();
    }

    /** Removes every entry overlapping {@code [start, last]} whole, answering them in start order. */
    public List<DmaEntry> removeOverlapping(long start, long last) {
        List<DmaEntry> gone = overlapping(start, last);
        for (DmaEntry e : gone) {
            byStart.remove(e.start());
            removed(e);
        }
        if (!gone.isEmpty()) {
            changed();
        }
        return gone;
    }

    /**
     * The entry holding {@code iova}, or null (vhost_iotlb_itree_first over {@code [iova, iova]}).
     * O(1) on the flat index for evenly spread entries, O(log n) at worst.
     */
    @Override
    public DmaEntry find(Iova iova) {
        return find(iova.value());
    }

    public DmaEntry find(long iova) {
        if (indexedGeneration != generation) {
            int n = byStart.size();
            if (n > SMALL && ++staleLookups < n / REBUILD_EVERY_NTH_ENTRY) {
                return findInTree(iova);
            }
            reindex();
        }
        return index.find(iova);
    }

    private DmaEntry findInTree(long iova) {
        Map.Entry<Long, DmaEntry> f = byStart.floorEntry(iova);
        return f != null && U64.ge(f.getValue().last(), iova) ? f.getValue() : null;
    }

    private void reindex() {
        int n = byStart.size();
        index = n == 0 ? IotlbIndex.EMPTY : new IotlbIndex(byStart.values(), n);
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

    /** Sum of the sizes of all entries, saturating at 2^64 − 1 (for MR-build costs); O(1). */
    public long totalBytes() {
        return bytes == 0 && !byStart.isEmpty() ? U64.MAX : bytes;
    }

    public void clear() {
        if (!byStart.isEmpty()) {
            byStart.clear();
            bytes = 0;
            changeSeq++;
            journal.clear(); // not journaled entry by entry: anyone behind copies
            journalStartSeq = changeSeq;
            changed();
        }
    }

    /** A copy (for parents that take the whole table, as mlx5's set_map builds its MR from it). */
    public VhostIotlb copy() {
        VhostIotlb c = new VhostIotlb();
        c.byStart.putAll(byStart);
        c.bytes = bytes;
        return c;
    }
}
