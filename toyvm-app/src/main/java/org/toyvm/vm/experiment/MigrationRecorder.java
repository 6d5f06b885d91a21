package org.toyvm.vm.experiment;

import org.toyvm.vm.report.Timeline;

/**
 * A NIC's recorder in a migration: the peer's pings as in a reboot run, with the two disruptions of a
 * migration — the NIC's switch to shadow virtqueues and the switchover — as its two counting windows.
 * Each opens at the instant the disruption reaches the device (the NIC's SUSPEND, or vm_stop) and is
 * closed by the same rule as a reboot's: every flow has a reply to a request sent after that instant.
 */
final class MigrationRecorder extends PeerRecorder {
    MigrationRecorder(int flows) {
        super(flows);
    }

    /** Disruption {@code index} ({@code label}) reaches the device at {@code t}: its window opens now. */
    void disruptionBegins(int index, long t, String label) {
        beginReboot(index, t);
        previousResetAt = -1;
        resetAt = t;
        lastReplyBeforeReset = peerPings.lastReply();
        markers.add(new Timeline.Marker(ms(t), markerPrefix + label));
    }
}
