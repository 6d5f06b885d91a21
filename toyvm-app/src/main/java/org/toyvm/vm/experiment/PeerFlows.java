package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * The peer's ping flows to one NIC — one per queue pair, each its own {@link PingLog} (sequence
 * numbers are per flow) — and their sums: the counts a reboot reports are over every flow.
 * Windows open and close for all flows at once.
 */
final class PeerFlows {
    private final PingLog[] flows;

    PeerFlows(int flows) {
        this.flows = new PingLog[Math.max(1, flows)];
        for (int k = 0; k < this.flows.length; k++) {
            this.flows[k] = new PingLog();
        }
    }

    int count() {
        return flows.length;
    }

    /** Flow {@code flow}'s log; a flow index outside the range is the caller's bug. */
    PingLog flow(int flow) {
        return flows[flow];
    }

    void sent(int flow, int seq, long t) {
        if (flow >= 0 && flow < flows.length) {
            flows[flow].sent(seq, t);
        }
    }

    /** See {@link PingLog#replied}; -1 also for a flow this NIC does not have. */
    long replied(int flow, int seq, long t) {
        return flow >= 0 && flow < flows.length ? flows[flow].replied(seq, t) : -1;
    }

    void openWindow(long t) {
        for (PingLog f : flows) {
            f.openWindow(t);
        }
    }

    void closeWindow(long t) {
        for (PingLog f : flows) {
            f.closeWindow(t);
        }
    }

    /** Each window summed over the flows. */
    List<PingLog.Window> windows() {
        List<PingLog.Window> out = new ArrayList<>();
        List<PingLog.Window> first = flows[0].windows();
        for (int i = 0; i < first.size(); i++) {
            PingLog.Window w = new PingLog.Window(first.get(i).start);
            w.end = first.get(i).end;
            for (PingLog f : flows) {
                w.sent += f.windows().get(i).sent;
                w.replied += f.windows().get(i).replied;
            }
            out.add(w);
        }
        return out;
    }

    /** The latest reply of any flow, or -1. */
    long lastReply() {
        long t = -1;
        for (PingLog f : flows) {
            t = Math.max(t, f.lastReply());
        }
        return t;
    }

    /** The first reply of any flow, or -1. */
    long firstReply() {
        long t = -1;
        for (PingLog f : flows) {
            if (f.firstReply() >= 0 && (t < 0 || f.firstReply() < t)) {
                t = f.firstReply();
            }
        }
        return t;
    }

    long requests() {
        long n = 0;
        for (PingLog f : flows) {
            n += f.requests();
        }
        return n;
    }

    long replies() {
        long n = 0;
        for (PingLog f : flows) {
            n += f.replies();
        }
        return n;
    }
}
