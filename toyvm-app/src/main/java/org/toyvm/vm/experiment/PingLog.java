package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One pinger's echo requests and their replies, matched by ICMP sequence number (16 bits, so a
 * number is matched to its latest use), folded into per-reboot counters as they happen: memory is a
 * fixed table of 2^16 entries plus one counter set per reboot window, whatever the ping rate or run
 * length, and each request or reply costs O(1).
 *
 * <p>A window opens when a reboot starts and closes when connectivity is back (or at the timeout).
 * A request belongs to the window it was sent in; its reply counts whenever it arrives, also after
 * the window closed, so a reply still in flight at the end of a window is received, not lost.
 */
final class PingLog {
    private static final int SEQS = 1 << 16;
    private final long[] sentAt = new long[SEQS];
    private final int[] windowOf = new int[SEQS];
    private final boolean[] answered = new boolean[SEQS];
    private final List<Window> windows = new ArrayList<>();
    private Window open;
    private long lastReply = -1;
    private long firstReply = -1;
    private long requests;
    private long replies;

    /** Counts of one window; {@code end} is -1 while it is open. */
    static final class Window {
        final long start;
        long end = -1;
        long sent;
        long replied;

        Window(long start) {
            this.start = start;
        }

        long lost() {
            return sent - replied;
        }
    }

    PingLog() {
        Arrays.fill(sentAt, -1);
        Arrays.fill(windowOf, -1);
    }

    void sent(int seq, long t) {
        int s = seq & 0xffff;
        sentAt[s] = t;
        answered[s] = false;
        windowOf[s] = open == null ? -1 : windows.size() - 1;
        requests++;
        if (open != null) {
            open.sent++;
        }
    }

    /**
     * A reply arrived at {@code t}. Answers the send time of the request it answers, or -1 when it
     * answers nothing outstanding (unknown sequence number, or a duplicate).
     */
    long replied(int seq, long t) {
        int s = seq & 0xffff;
        if (sentAt[s] < 0 || answered[s]) {
            return -1;
        }
        answered[s] = true;
        replies++;
        if (windowOf[s] >= 0) {
            windows.get(windowOf[s]).replied++;
        }
        lastReply = t;
        if (firstReply < 0) {
            firstReply = t;
        }
        return sentAt[s];
    }

    /** Opens the window of the next reboot at {@code t} (closing one left open). */
    Window openWindow(long t) {
        closeWindow(t);
        open = new Window(t);
        windows.add(open);
        return open;
    }

    void closeWindow(long t) {
        if (open != null) {
            open.end = t;
            open = null;
        }
    }

    List<Window> windows() {
        return windows;
    }

    /** Receipt time of the latest reply so far, or -1. */
    long lastReply() {
        return lastReply;
    }

    /** Receipt time of the first reply of the run, or -1. */
    long firstReply() {
        return firstReply;
    }

    long requests() {
        return requests;
    }

    long replies() {
        return replies;
    }
}
