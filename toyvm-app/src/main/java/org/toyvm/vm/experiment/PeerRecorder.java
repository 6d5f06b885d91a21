package org.toyvm.vm.experiment;

import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.report.Timeline;

/**
 * The guest's events plus the peer's view of its pings to one NIC, and the one rule both clocks use
 * to decide that connectivity is back: a reply to a request the peer sent once the reset had reached
 * the device — on every flow (one per queue pair): the reboot is restored when the last flow has
 * such a reply, and each flow's time is kept (when its pair came back). A reply to an earlier
 * request may have crossed the reset in flight and proves nothing. Its reply histogram is this NIC's
 * line of the timeline plot, its reset and return markers this NIC's (named by its device when the run
 * has several NICs, {@link GuestRecorder#markerPrefix}).
 *
 * <p>Written only from the machine's loop; the volatile fields are read by a live run's waiting thread.
 */
class PeerRecorder extends GuestRecorder implements PeerHost.Events {
    final PeerFlows peerPings;
    final ReplyHistogram replies = new ReplyHistogram();
    volatile long firstReplyAt = -1;
    volatile long restoredAt = -1;
    /** Per flow, the current reboot's first reply to a request sent after the reset, or -1. */
    private final long[] flowBackAt;
    private int flowsBack;
    boolean inReboot;
    /** The last reply before the current reboot's reset, or -1. */
    long lastReplyBeforeReset = -1;

    /** One flow (one queue pair). */
    PeerRecorder() {
        this(1);
    }

    /** One flow per queue pair of the NIC. */
    PeerRecorder(int flows) {
        peerPings = new PeerFlows(flows);
        flowBackAt = new long[peerPings.count()];
        java.util.Arrays.fill(flowBackAt, -1);
    }

    @Override
    void beginReboot(int index, long t) {
        super.beginReboot(index, t);
        peerPings.openWindow(t);
        inReboot = true;
        restoredAt = -1;
        java.util.Arrays.fill(flowBackAt, -1);
        flowsBack = 0;
        lastReplyBeforeReset = -1;
    }

    @Override
    void endReboot(long t) {
        super.endReboot(t);
        peerPings.closeWindow(t);
        inReboot = false;
    }

    @Override
    public void resetWritten(long t) {
        super.resetWritten(t);
        lastReplyBeforeReset = peerPings.lastReply();
    }

    @Override
    public void requestSent(int flow, int seq, long t) {
        peerPings.sent(flow, seq, t);
    }

    @Override
    public void replyReceived(int flow, int seq, long t) {
        long sentAt = peerPings.replied(flow, seq, t);
        if (sentAt >= 0) {
            replyAt(flow, t, sentAt >= resetAt);
        }
    }

    /** A reply seen at {@code t} on the only flow; {@code afterReset}: it answers a request sent after the reset. */
    final void replyAt(long t, boolean afterReset) {
        replyAt(0, t, afterReset);
    }

    /** A reply of flow {@code flow} seen at {@code t}; {@code afterReset}: it answers a request sent after the reset. */
    final void replyAt(int flow, long t, boolean afterReset) {
        replies.add(t);
        if (firstReplyAt < 0) {
            firstReplyAt = t;
        }
        if (inReboot && resetAt >= 0 && restoredAt < 0 && afterReset && flowBackAt[flow] < 0) {
            flowBackAt[flow] = t;
            if (++flowsBack == flowBackAt.length) {
                restoredAt = t;
                markers.add(new Timeline.Marker(ms(t), markerPrefix + "restored #" + rebootIndex));
            }
        }
    }

    /**
     * With more than one flow, the current reboot's time from the reset to each flow's (queue pair's)
     * first reply to a request sent after it, in ms (null for a flow not back); null with one flow.
     */
    final java.util.List<Double> pairsBackMs() {
        return resetAt < 0 ? pairsBackMs(-1) : pairsBackMs(resetAt);
    }

    /**
     * As {@link #pairsBackMs()}, in ms from {@code origin} (the reboot request, for a NIC of several); every
     * entry null when {@code origin} is negative or the reset did not reach this device.
     */
    final java.util.List<Double> pairsBackMs(long origin) {
        if (flowBackAt.length == 1) {
            return null;
        }
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (long t : flowBackAt) {
            out.add(t < 0 || resetAt < 0 || origin < 0 ? null : ms(t - origin));
        }
        return out;
    }

    /** Connectivity was already down at this reset: no reply arrived since the previous reset. */
    final boolean downAtReset() {
        return lastReplyBeforeReset < 0 || (previousResetAt >= 0 && lastReplyBeforeReset < previousResetAt);
    }

    /** The current reboot's downtime in ms, or null when it was not restored. */
    final Double downtimeMs() {
        if (restoredAt < 0) {
            return null;
        }
        return ms(restoredAt - (downAtReset() ? resetAt : lastReplyBeforeReset));
    }
}
