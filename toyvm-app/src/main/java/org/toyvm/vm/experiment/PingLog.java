package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Echo requests sent and their replies, matched by ICMP sequence number (16 bits, so a number is
 * matched to its latest use). Times in simulation nanoseconds; -1 for no reply.
 */
final class PingLog {
    private final List<long[]> pings = new ArrayList<>(); // {sent, replied}
    private final Map<Integer, Integer> latestBySeq = new HashMap<>();
    private final List<Long> replyTimes = new ArrayList<>();

    void sent(int seq, long t) {
        latestBySeq.put(seq, pings.size());
        pings.add(new long[] {t, -1});
    }

    void replied(int seq, long t) {
        Integer i = latestBySeq.get(seq);
        if (i != null && pings.get(i)[1] < 0) {
            pings.get(i)[1] = t;
            replyTimes.add(t);
        }
    }

    /** Requests sent in {@code [from, to]}, and how many of them never got a reply. */
    long[] sentAndLost(long from, long to) {
        long sent = 0;
        long lost = 0;
        for (long[] p : pings) {
            if (p[0] >= from && p[0] <= to) {
                sent++;
                if (p[1] < 0) {
                    lost++;
                }
            }
        }
        return new long[] {sent, lost};
    }

    /** Receipt time of the last reply at or before {@code t}, or -1. */
    long lastReplyAtOrBefore(long t) {
        long best = -1;
        for (long r : replyTimes) {
            if (r <= t && r > best) {
                best = r;
            }
        }
        return best;
    }

    List<Long> replyTimes() {
        return replyTimes;
    }
}
