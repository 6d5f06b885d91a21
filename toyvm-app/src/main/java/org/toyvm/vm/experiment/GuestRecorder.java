package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.vm.guest.GuestEvents;
import org.toyvm.vm.report.Timeline;

/**
 * What both kinds of run record of the guest: the milestones for the plot, the time its vCPU spent
 * frozen in the VMM, when it first came up, why a probe failed, its own pings of the peer, and for
 * the reboot in progress what was actually observed (the reset reaching the device, boot done,
 * DRIVER_OK), so that explanations state only what happened.
 *
 * <p>Written only from the machine's loop; the volatile fields are read by a live run's waiting thread.
 */
class GuestRecorder implements GuestEvents {
    final List<Timeline.Marker> markers = new ArrayList<>();
    final PingLog guestPings = new PingLog();
    volatile long frozenNs;
    volatile long firstUp = -1;
    volatile String probeFailure;
    /** Reboot in progress (1-based), for the marker labels; 0 before the first. */
    int rebootIndex;
    /** When the current reboot's status-0 write reached the device, or -1 while it has not. */
    volatile long resetAt = -1;
    /** The previous reboot's reset instant, or -1. */
    long previousResetAt = -1;
    /**
     * Before each of this recorder's NIC milestones in the plot: "" in a run of one NIC; with several,
     * its device and a space ("vhost-vdpa-1 "), so each NIC's reset, DRIVER_OK and return are told apart.
     * Boot done is the guest's, never prefixed.
     */
    String markerPrefix = "";
    /**
     * Whether this NIC's DRIVER_OK is a plot milestone: NIC 0's is (as in a run of one NIC); a further
     * NIC's is not, as the plot would drown in them — its reset and return are what tell it apart.
     */
    boolean markDriverOk = true;
    boolean bootDoneInReboot;
    boolean driverOkInReboot;
    String probeFailureInReboot;

    static double ms(long ns) {
        return ns / 1e6;
    }

    /** A reboot is requested at {@code t}: its counting windows open now. */
    void beginReboot(int index, long t) {
        rebootIndex = index;
        previousResetAt = resetAt;
        resetAt = -1;
        bootDoneInReboot = false;
        driverOkInReboot = false;
        probeFailureInReboot = null;
        guestPings.openWindow(t);
    }

    /** The reboot's window ends at {@code t} (connectivity back, or the timeout). */
    void endReboot(long t) {
        guestPings.closeWindow(t);
    }

    @Override
    public void resetWritten(long t) {
        resetAt = t;
        markers.add(new Timeline.Marker(ms(t), markerPrefix + "reset #" + rebootIndex));
    }

    @Override
    public void bootDone(long t) {
        bootDoneInReboot = true;
        markers.add(new Timeline.Marker(ms(t), "boot done"));
    }

    @Override
    public void driverOk(long t, long doneAt) {
        if (firstUp < 0) {
            firstUp = doneAt;
        }
        if (resetAt >= 0) {
            driverOkInReboot = true;
        }
        if (markDriverOk) {
            markers.add(new Timeline.Marker(ms(t), markerPrefix + "DRIVER_OK"));
        }
    }

    @Override
    public void probeFailed(long t, String why) {
        probeFailure = why;
        if (resetAt >= 0) {
            probeFailureInReboot = why;
        }
    }

    @Override
    public void vcpuFrozen(long ns) {
        frozenNs = org.toyvm.core.units.Durations.addSaturating(frozenNs, ns);
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
