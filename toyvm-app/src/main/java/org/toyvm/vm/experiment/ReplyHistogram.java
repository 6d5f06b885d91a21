package org.toyvm.vm.experiment;

import org.toyvm.vm.report.Timeline;

/**
 * Reply times counted in at most {@value #BUCKETS} buckets: when a time falls past the last bucket,
 * the bucket width doubles and neighbours merge. Memory is fixed; the resolution is at least
 * 1/{@value #BUCKETS} of the run, far finer than the plot's 200 buckets.
 */
final class ReplyHistogram {
    static final int BUCKETS = 4096;
    private final long[] counts = new long[BUCKETS];
    private long widthNs = 1_000_000L;

    void add(long tNs) {
        long t = Math.max(0, tNs);
        while (t / widthNs >= BUCKETS) {
            for (int i = 0; i < BUCKETS / 2; i++) {
                counts[i] = counts[2 * i] + counts[2 * i + 1];
            }
            java.util.Arrays.fill(counts, BUCKETS / 2, BUCKETS, 0);
            widthNs = widthNs > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : widthNs * 2;
        }
        counts[(int) (t / widthNs)]++;
    }

    Timeline.Replies snapshot() {
        int n = BUCKETS;
        while (n > 0 && counts[n - 1] == 0) {
            n--;
        }
        return new Timeline.Replies(widthNs / 1e6, java.util.Arrays.copyOf(counts, n));
    }
}
