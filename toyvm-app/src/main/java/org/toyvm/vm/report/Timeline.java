package org.toyvm.vm.report;

import java.util.List;

/**
 * What happened over a run, for the connectivity plot: when the peer received echo replies from
 * the guest, and the reboot milestones.
 *
 * @param replyTimesMs run time (ms) of each echo reply the peer received from the guest
 * @param markers reset, boot done, DRIVER_OK, connectivity back, in time order
 * @param endMs run time at the end of the run
 */
public record Timeline(List<Double> replyTimesMs, List<Marker> markers, double endMs) {
    /** A labelled instant. */
    public record Marker(double timeMs, String label) {
    }
}
