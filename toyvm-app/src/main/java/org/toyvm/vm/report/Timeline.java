package org.toyvm.vm.report;

import java.util.List;

/**
 * What happened over a run, for the connectivity plot: how many echo replies the peer received from
 * the guest over run time, and the reboot milestones. The replies are counted per bucket, so the
 * timeline stays the same size however many pings a run sends.
 *
 * @param replies echo replies the peer received from the guest, per bucket of run time
 * @param markers reset, boot done, DRIVER_OK, connectivity back, in time order
 * @param endMs run time at the end of the run
 */
public record Timeline(Replies replies, List<Marker> markers, double endMs) {
    /** A timeline from individual reply times (ms), counted in 1 ms buckets. */
    public Timeline(List<Double> replyTimesMs, List<Marker> markers, double endMs) {
        this(Replies.of(replyTimesMs, 1.0), markers, endMs);
    }

    /** A labelled instant. */
    public record Marker(double timeMs, String label) {
    }

    /**
     * Reply counts: {@code counts[i]} replies arrived in {@code [i * bucketMs, (i + 1) * bucketMs)}.
     */
    public record Replies(double bucketMs, long[] counts) {
        public Replies {
            counts = counts.clone();
        }

        @Override
        public long[] counts() {
            return counts.clone();
        }

        /** Counts {@code timesMs} in buckets of {@code bucketMs}. */
        public static Replies of(List<Double> timesMs, double bucketMs) {
            int n = 0;
            for (double t : timesMs) {
                n = Math.max(n, (int) Math.min(Integer.MAX_VALUE - 1, Math.max(0, Math.floor(t / bucketMs))) + 1);
            }
            long[] c = new long[n];
            for (double t : timesMs) {
                c[(int) Math.min(Integer.MAX_VALUE - 1, Math.max(0, Math.floor(t / bucketMs)))]++;
            }
            return new Replies(bucketMs, c);
        }

        public long total() {
            long s = 0;
            for (long c : counts) {
                s += c;
            }
            return s;
        }
    }
}
