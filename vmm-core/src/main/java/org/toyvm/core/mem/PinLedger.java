package org.toyvm.core.mem;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.addr.U64;

/**
 * Pin counts of one RAM block, kept per page-aligned byte range, never per page: a 4 TiB block
 * pinned whole is one segment.
 *
 * <pre>
 *  block offsets  0 ........ a ........ b ........ c ......
 *  segments            [a, b-1] x1   [b, c-1] x2
 * </pre>
 *
 * <p>A pin of a range adds one to every page in it; an unpin subtracts one and is refused as a
 * double unpin, with the ledger unchanged, when any page in the range is not pinned. A leak is
 * visible as {@link #pinnedPages()} staying above zero after every user has let go.
 */
public final class PinLedger {
    /** Segment value: inclusive last offset and the pin count of every page in it. */
    private record Seg(long last, long count) {
    }

    private final String blockName;
    private final long blockSize;
    private final TreeMap<Long, Seg> segs = new TreeMap<>();
    private long pinnedPages;

    PinLedger(String blockName, long blockSize) {
        this.blockName = blockName;
        this.blockSize = blockSize;
    }

    /** Sum over pages of their pin counts. */
    public long pinnedPages() {
        return pinnedPages;
    }

    /** Number of distinct segments (the bookkeeping size; stays small for range pins). */
    public int segments() {
        return segs.size();
    }

    /** Pin count of the page holding {@code offset}. */
    public long countAt(long offset) {
        Map.Entry<Long, Seg> e = segs.floorEntry(offset);
        return e != null && offset <= e.getValue().last ? e.getValue().count : 0;
    }

    /** Pins the pages touched by {@code [offset, offset+len)}. Returns the number of pages. */
    public long pin(long offset, long len) {
        long[] r = pageRange(offset, len);
        splitAt(r[0]);
        splitAt(r[1] + 1);
        long cursor = r[0];
        while (cursor <= r[1]) {
            Map.Entry<Long, Seg> e = segs.ceilingEntry(cursor);
            if (e == null || e.getKey() > r[1]) {
                segs.put(cursor, new Seg(r[1], 1));
                break;
            }
            if (e.getKey() > cursor) {
                segs.put(cursor, new Seg(e.getKey() - 1, 1));
            }
            Seg s = e.getValue();
            segs.put(e.getKey(), new Seg(s.last, s.count + 1));
            cursor = s.last + 1;
        }
        long pages = (r[1] - r[0] + 1) >>> Pages.SHIFT;
        pinnedPages += pages;
        mergeAround(r[0], r[1]);
        return pages;
    }

    /**
     * Unpins the pages touched by {@code [offset, offset+len)}.
     *
     * @throws IllegalStateException (ledger unchanged) when a page in the range is not pinned
     */
    public long unpin(long offset, long len) {
        long[] r = pageRange(offset, len);
        // Check first so that a refused unpin changes nothing.
        long cursor = r[0];
        while (cursor <= r[1]) {
            Map.Entry<Long, Seg> e = segs.floorEntry(cursor);
            if (e == null || e.getValue().last < cursor) {
                throw new IllegalStateException("double unpin in RAM block '" + blockName + "': page at offset "
                        + U64.hex(cursor) + " is not pinned");
            }
            cursor = e.getValue().last + 1;
        }
        splitAt(r[0]);
        splitAt(r[1] + 1);
        cursor = r[0];
        while (cursor <= r[1]) {
            Seg s = segs.get(cursor);
            if (s.count == 1) {
                segs.remove(cursor);
            } else {
                segs.put(cursor, new Seg(s.last, s.count - 1));
            }
            cursor = s.last + 1;
        }
        long pages = (r[1] - r[0] + 1) >>> Pages.SHIFT;
        pinnedPages -= pages;
        mergeAround(r[0], r[1]);
        return pages;
    }

    private long[] pageRange(long offset, long len) {
        if (!(offset >= 0 && len > 0 && offset <= blockSize && len <= blockSize - offset)) {
            throw new IllegalArgumentException("pin range at offset " + U64.hex(offset) + " of " + U64.hex(len)
                    + " bytes is outside RAM block '" + blockName + "' of size " + U64.hex(blockSize));
        }
        long first = Pages.alignDown(offset);
        long last = Pages.alignDown(offset + len - 1) + Pages.SIZE - 1;
        return new long[] {first, last};
    }

    private void splitAt(long at) {
        Map.Entry<Long, Seg> e = segs.lowerEntry(at);
        if (e != null && e.getValue().last >= at) {
            Seg s = e.getValue();
            segs.put(e.getKey(), new Seg(at - 1, s.count));
            segs.put(at, new Seg(s.last, s.count));
        }
    }

    private void mergeAround(long first, long last) {
        Long from = segs.floorKey(first - 1 < 0 ? 0 : first - 1);
        if (from == null) {
            from = first;
        }
        Iterator<Map.Entry<Long, Seg>> it = segs.tailMap(from, true).entrySet().iterator();
        long prevKey = 0;
        Seg prevSeg = null;
        while (it.hasNext()) {
            Map.Entry<Long, Seg> e = it.next();
            if (prevSeg != null && prevSeg.last + 1 == e.getKey() && prevSeg.count == e.getValue().count) {
                prevSeg = new Seg(e.getValue().last, prevSeg.count);
                it.remove();
                segs.put(prevKey, prevSeg);
                // replacing the value of an existing key is not a structural change: iteration stays valid
                continue;
            }
            if (e.getKey() > last + 1) {
                break;
            }
            prevKey = e.getKey();
            prevSeg = e.getValue();
        }
    }

    /** Describes the pinned ranges, for messages and tests. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PinLedger[" + blockName);
        for (Map.Entry<Long, Seg> e : segs.entrySet()) {
            sb.append(' ').append(U64.hex(e.getKey())).append('-').append(U64.hex(e.getValue().last))
                    .append('x').append(e.getValue().count);
        }
        return sb.append(']').toString();
    }
}
