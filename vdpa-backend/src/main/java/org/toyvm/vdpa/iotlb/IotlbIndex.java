package org.toyvm.vdpa.iotlb;

import java.util.Collection;
import org.toyvm.hw.api.DmaEntry;

/**
 * A read-only snapshot of a {@link VhostIotlb}'s entries laid out for lookups: a bucket table over
 * the span of the entries' starts, then a search among the few entries of one bucket.
 *
 * <p>The IOVA span {@code [minStart, maxStart]} is cut into power-of-two buckets, about two per
 * entry; {@code bucketFirst[b]} is the last entry starting at or before bucket {@code b}'s base.
 * A lookup takes its bucket by a shift, then picks among {@code bucketFirst[b] .. bucketFirst[b+1]}:
 * when the starts are spread evenly (per-page or per-region maps, the common shapes) that is one
 * or two entries and the lookup is O(1) with three array reads; when they crowd into few buckets
 * (a dense run beside a far-away entry) it is a branch-free binary search over the bucket's
 * entries, O(log n) as before. Starts and lasts sit side by side ({@code startLast[2i]},
 * {@code startLast[2i+1]}) so the final containment test reads the line the search just read.
 *
 * <pre>
 *   iova - minStart  >>> shift  = bucket b
 *   bucketFirst[b] ........ bucketFirst[b+1]     candidates; the last start <= iova wins
 *   startLast[2i] <= iova <= startLast[2i+1] ?  entries[i] : miss
 * </pre>
 *
 * <p>Offsets from {@code minStart} are kept biased by 2^63 so that signed comparison is unsigned
 * order (IOVAs are unsigned 64-bit values).
 */
final class IotlbIndex {
    /** At most 2^22 buckets (16 MiB of ints): bigger tables share buckets and search within them. */
    private static final int MAX_BUCKET_BITS = 22;
    static final IotlbIndex EMPTY = new IotlbIndex();

    private final long minStart;
    /** {@code maxStart - minStart}, unsigned. */
    private final long span;
    private final int shift;
    private final int[] bucketFirst;
    /** Biased offset of each start from {@code minStart}, then its (unbiased) last. */
    private final long[] startLast;
    private final DmaEntry[] entries;

    private IotlbIndex() {
        minStart = 0;
        span = 0;
        shift = 0;
        bucketFirst = new int[0];
        startLast = new long[0];
        entries = new DmaEntry[0];
    }

    /** Indexes {@code sorted}: {@code n} disjoint entries in ascending (unsigned) start order. */
    IotlbIndex(Collection<DmaEntry> sorted, int n) {
        entries = sorted.toArray(new DmaEntry[n]);
        minStart = entries[0].start();
        span = entries[n - 1].start() - minStart;
        startLast = new long[2 * n];
        for (int i = 0; i < n; i++) {
            startLast[2 * i] = (entries[i].start() - minStart) ^ Long.MIN_VALUE;
            startLast[2 * i + 1] = entries[i].last();
        }
        int bucketBits = Math.min(MAX_BUCKET_BITS, 33 - Integer.numberOfLeadingZeros(Math.max(1, n - 1)));
        int spanBits = 64 - Long.numberOfLeadingZeros(span);
        shift = Math.max(0, spanBits - bucketBits);
        int buckets = (int) (span >>> shift) + 1;
        bucketFirst = new int[buckets + 1];
        int i = 0;
        for (int b = 0; b < buckets; b++) {
            long base = ((long) b << shift) ^ Long.MIN_VALUE;
            while (i + 1 < n && startLast[2 * (i + 1)] <= base) {
                i++;
            }
            bucketFirst[b] = i;
        }
        bucketFirst[buckets] = n - 1;
    }

    int size() {
        return entries.length;
    }

    /** The entry holding {@code iova}, or null. */
    DmaEntry find(long iova) {
        int n = entries.length;
        if (n == 0) {
            return null;
        }
        long d = iova - minStart;
        int i;
        if (Long.compareUnsigned(d, span) > 0) {
            // Below the first start (d wrapped) or past the last start.
            if (Long.compareUnsigned(iova, minStart) < 0) {
                return null;
            }
            i = n - 1;
        } else {
            int b = (int) (d >>> shift);
            int lo = bucketFirst[b];
            int hi = bucketFirst[b + 1];
            long key = d ^ Long.MIN_VALUE;
            long[] sl = startLast;
            if (hi - lo <= 1) {
                i = sl[2 * hi] <= key ? hi : lo;
            } else {
                // Last start <= key in [lo, hi]; sl[2 * lo] <= key holds by construction.
                int len = hi - lo + 1;
                while (len > 1) {
                    int half = len >>> 1;
                    lo = sl[2 * (lo + half)] <= key ? lo + half : lo;
                    len -= half;
                }
                i = lo;
            }
        }
        return Long.compareUnsigned(startLast[2 * i + 1], iova) >= 0 ? entries[i] : null;
    }
}
