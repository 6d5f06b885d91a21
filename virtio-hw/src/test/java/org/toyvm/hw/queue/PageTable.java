package org.toyvm.hw.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.DmaTranslation;

/**
 * A test-only DMA translation: non-overlapping entries kept by start address (unsigned), with the
 * operations device tests need — add, remove what overlaps a range, clear — each bumping the
 * generation as a real parent's table does. Small on purpose: the real IOTLB lives in vdpa-backend,
 * which the device hardware must not depend on.
 */
public final class PageTable implements DmaTranslation {
    private final TreeMap<Long, DmaEntry> byStart = new TreeMap<>(Long::compareUnsigned);
    private long generation;

    /** Maps IOVAs {@code [start, last]} to host addresses from {@code hva}. */
    public void add(long start, long last, long hva, int perm) {
        if (!overlapping(start, last).isEmpty()) {
            throw new IllegalArgumentException("overlapping entry at " + U64.hex(start));
        }
        byStart.put(start, new DmaEntry(start, last, hva, perm, false));
        generation++;
    }

    /** Maps {@code [0, size)} 1:1 onto host memory from {@code hva}, one entry per {@code page} bytes. */
    public static PageTable pages(long size, long page, long hva) {
        PageTable t = new PageTable();
        for (long pg = 0; pg < size; pg += page) {
            t.add(pg, pg + page - 1, hva + pg, DmaEntry.PERM_RW);
        }
        return t;
    }

    /** Removes every entry overlapping {@code [start, last]}. */
    public void removeOverlapping(long start, long last) {
        overlapping(start, last).forEach(e -> byStart.remove(e.start()));
        generation++;
    }

    private List<DmaEntry> overlapping(long start, long last) {
        List<DmaEntry> gone = new ArrayList<>();
        Map.Entry<Long, DmaEntry> before = byStart.floorEntry(start);
        if (before != null && U64.le(start, before.getValue().last())) {
            gone.add(before.getValue());
        }
        gone.addAll(byStart.subMap(start, true, last, true).values());
        return gone;
    }

    public void clear() {
        byStart.clear();
        generation++;
    }

    @Override
    public DmaEntry find(Iova iova) {
        Map.Entry<Long, DmaEntry> e = byStart.floorEntry(iova.value());
        return e != null && e.getValue().contains(iova.value()) ? e.getValue() : null;
    }

    @Override
    public long generation() {
        return generation;
    }
}
