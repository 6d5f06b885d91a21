package org.toyvm.vm.report;

import java.util.List;

/**
 * What happened over a run, for the connectivity plot: how many echo replies the peer received from
 * the guest over run time, and the reboot milestones. The replies are counted per bucket, so the
 * timeline stays the same size however many pings a run sends. A run of several NICs has one line per
 * NIC (each NIC's own peer and replies) and each NIC's own milestones, named by its device.
 *
 * @param replies echo replies the peer received from the guest, per bucket of run time: NIC 0's (the
 *     only NIC's in a run of one)
 * @param markers reset, boot done, DRIVER_OK, connectivity back, in time order; with several NICs each
 *     NIC's reset, DRIVER_OK and return labelled with its device ("vhost-vdpa-1 restored #1")
 * @param endMs run time at the end of the run
 * @param nics with several NICs, each NIC's line in NIC order (NIC 0's replies are {@code replies});
 *     empty with one NIC, whose plot is then drawn as it always was
 */
public record Timeline(Replies replies, List<Marker> markers, double endMs, List<Line> nics) {
    public Timeline {
        markers = List.copyOf(markers);
        nics = List.copyOf(nics);
        if (nics.size() == 1) {
            throw new IllegalArgumentException("one NIC has no per-NIC lines: its replies are the timeline's");
        }
    }

    /** The timeline of a run of one NIC. */
    public Timeline(Replies replies, List<Marker> markers, double endMs) {
        this(replies, markers, endMs, List.of());
    }

    /** A timeline from individual reply times (ms), counted in 1 ms buckets. */
    public Timeline(List<Double> replyTimesMs, List<Marker> markers, double endMs) {
        this(Replies.of(replyTimesMs, 1.0), markers, endMs);
    }

    /**
     * The timeline of a run of several NICs: {@code lines} in NIC order, the first NIC 0's; the markers
     * sorted by time (each NIC recorded its own).
     */
    public static Timeline ofNics(List<Line> lines, List<Marker> markers, double endMs) {
        if (lines.size() < 2) {
            throw new IllegalArgumentException("several NICs expected, got " + lines.size());
        }
        List<Marker> sorted = markers.stream().sorted(java.util.Comparator.comparingDouble(Marker::timeMs)).toList();
        return new Timeline(lines.get(0).replies(), sorted, endMs, lines);
    }

    /** One NIC's echo replies as its peer received them, named by the NIC's device ("vhost-vdpa-1"). */
    public record Line(String device, Replies replies) {
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
