package org.toyvm.vm.experiment;

import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.report.Timeline;

/**
 * The guest's events plus the peer's view of its pings, and the one rule both clocks use to decide
 * that connectivity is back: a reply to a request the peer sent once the reset had reached the
 * device. A reply to an earlier request may have crossed the reset in flight and proves nothing.
 *
 * <p>Written only from the machine's loop; the volatile fields are read by a live run's waiting thread.
 */
class PeerRecorder extends GuestRecorder implements PeerHost.Events {
    final PingLog peerPings = new PingLog();
    final ReplyHistogram replies = new ReplyHistogram();
    volatile long firstReplyAt = -1;
    volatile long restoredAt = -1;
    boolean inReboot;
    /** The last reply before the current reboot's reset, or -1. */
    long lastReplyBeforeReset = -1;

    @Override
    void beginReboot(int index, long t) {
        super.beginReboot(index, t);
        peerPings.openWindow(t);
        inReboot = true;
        restoredAt = -1;
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
    public void requestSent(int seq, long t) {
        peerPings.sent(seq, t);
    }

    @Override
    public void replyReceived(int seq, long t) {
        long sentAt = peerPings.replied(seq, t);
        if (sentAt >= 0) {
            replyAt(t, sentAt >= resetAt);
        }
    }

    /** A reply seen at {@code t}; {@code afterReset}: it answers a request sent after the reset. */
    final void replyAt(long t, boolean afterReset) {
        replies.add(t);
        if (firstReplyAt < 0) {
            firstReplyAt = t;
        }
        if (inReboot && resetAt >= 0 && restoredAt < 0 && afterReset) {
            restoredAt = t;
            markers.add(new Timeline.Marker(ms(t), "restored #" + rebootIndex));
        }
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
