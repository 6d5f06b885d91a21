package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.vm.guest.GuestEvents;
import org.toyvm.vm.report.Timeline;

/**
 * What both kinds of run record of the guest: the milestones for the plot, the time its vCPU spent
 * frozen in the VMM, when it first came up, why a probe failed, and its own pings of the peer.
 */
class GuestRecorder implements GuestEvents {
    final List<Timeline.Marker> markers = new ArrayList<>();
    final PingLog guestPings = new PingLog();
    long frozenNs;
    volatile long firstUp = -1;
    volatile String probeFailure;
    /** Reboot in progress, for the marker labels. */
    int rebootIndex;

    static double ms(long ns) {
        return ns / 1e6;
    }

    @Override
    public void resetWritten(long t) {
        markers.add(new Timeline.Marker(ms(t), "reset #" + rebootIndex));
    }

    @Override
    public void bootDone(long t) {
        markers.add(new Timeline.Marker(ms(t), "boot done"));
    }

    @Override
    public void driverOk(long t, long doneAt) {
        if (firstUp < 0) {
            firstUp = doneAt;
        }
        markers.add(new Timeline.Marker(ms(t), "DRIVER_OK"));
    }

    @Override
    public void probeFailed(long t, String why) {
        probeFailure = why;
    }

    @Override
    public void vcpuFrozen(long ns) {
        frozenNs += ns;
    }

    @Override
    public void guestPingSent(int seq, long t) {
        guestPings.sent(seq, t);
    }

    @Override
    public void guestPingReplied(int seq, long t) {
        guestPings.replied(seq, t);
    }
}
