package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.hw.net.FlowHash;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.stack.Ipv4Address;

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

    /**
     * ICMP identifiers for one flow per queue pair from {@code peer} to {@code guest}: for pair k the
     * first identifier from {@link PeerHost#PING_ID} up, not taken by an earlier flow, whose flow hash
     * ({@link FlowHash}) among {@code pairs} is k — so that every pair carries one flow. The tool
     * knowing the NIC's hash is its choice, as a traffic generator picks source ports against a known
     * RSS key and indirection table. With one pair: {@link PeerHost#PING_ID}, the peer's usual id.
     */
    static int[] flowIds(Ipv4Address peer, Ipv4Address guest, int pairs) {
        int[] ids = new int[pairs];
        boolean[] taken = new boolean[1 << 16];
        for (int k = 0; k < pairs; k++) {
            int id = PeerHost.PING_ID;
            // A 32-bit hash modulo at most 16 reaches every pair within a few identifiers.
            while (taken[id] || FlowHash.pairOf(FlowHash.hash(peer.value(), guest.value(), id, 0), pairs) != k) {
                id = (id + 1) & 0xffff;
            }
            taken[id] = true;
            ids[k] = id;
        }
        return ids;
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
