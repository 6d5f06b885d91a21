package org.toyvm.vm.bench;

import com.google.common.collect.Range;
import com.google.common.collect.TreeRangeMap;
import java.util.SplittableRandom;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.iotlb.VhostIotlb;

/**
 * Random translation lookups over {@code n} IOTLB entries (4 KiB each, a 4 KiB hole between), in
 * toyvm's VhostIotlb and, as the baseline, in Guava's TreeRangeMap holding the same entries.
 *
 * <p>Both sides look up the same keys in the same order (one shared cursor over one probe table)
 * and answer the same thing, the DmaEntry or null. The baseline is given its keys already boxed
 * (TreeRangeMap takes a {@code Comparable}), so it pays for nothing the workload could avoid; what
 * it still allocates per lookup (the {@code Cut} it searches with) is Guava's own.
 */
public final class IotlbWorkload {
    private final VhostIotlb iotlb = new VhostIotlb();
    private final TreeRangeMap<Long, DmaEntry> guava = TreeRangeMap.create();
    private final long[] probes = new long[4096];
    private final Long[] boxedProbes = new Long[probes.length];
    private int next;

    public IotlbWorkload(int n) {
        for (int i = 0; i < n; i++) {
            long start = i * 0x2000L;
            iotlb.add(start, start + 0xfff, 0x7f00_0000_0000L + start, DmaEntry.PERM_RW);
            guava.put(Range.closed(start, start + 0xfff), iotlb.find(start));
        }
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < probes.length; i++) {
            probes[i] = r.nextLong(n * 0x2000L);
            boxedProbes[i] = probes[i];
        }
    }

    /** Number of lookups per call of {@link #lookups()} / {@link #lookupsGuava()} (amortises the harness). */
    public static final int BATCH = 64;

    public DmaEntry lookup() {
        return iotlb.find(probes[next++ & (probes.length - 1)]);
    }

    public DmaEntry lookupGuava() {
        return guava.get(boxedProbes[next++ & (probes.length - 1)]);
    }

    /** {@link #BATCH} lookups; answers how many hit (so the work is used). */
    public long lookups() {
        long hits = 0;
        for (int i = 0; i < BATCH; i++) {
            hits += iotlb.find(probes[next++ & (probes.length - 1)]) != null ? 1 : 0;
        }
        return hits;
    }

    public long lookupsGuava() {
        long hits = 0;
        for (int i = 0; i < BATCH; i++) {
            hits += guava.get(boxedProbes[next++ & (probes.length - 1)]) != null ? 1 : 0;
        }
        return hits;
    }
}
