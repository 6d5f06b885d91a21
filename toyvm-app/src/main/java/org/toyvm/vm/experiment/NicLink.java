package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.machine.NetSlot;
import org.toyvm.vm.report.Timeline;
import org.toyvm.vm.stack.NicAddressing;

/**
 * One NIC of a virtual run, as the experiment measures it: its own wire to its own in-process peer,
 * its addresses, and the recorder of what the peer and the guest interface saw on it (its pings, its
 * device's reset, its DRIVER_OK, its return). The run has one per NIC; NIC 0's recorder is also the
 * guest's (boot, vCPU freeze), as in a run of one NIC.
 *
 * <p>A NIC carries one ping flow per queue pair (its recorder keeps them), and "restored" stays this
 * unit's question: every flow of it back. Each NIC is one line of the run's timeline ({@link #timeline}).
 */
final class NicLink {
    final int index;
    final NicAddressing addressing;
    final InProcessWire wire;
    final PeerRecorder rec;
    PeerHost peer;
    NetSlot slot;
    Gpa rxRingGpa;
    /** The run's timeout (for the sentences). */
    long timeoutNs;
    /** Pages this device held pinned just before the machine powered off. */
    long pinnedAtEnd;
    /** Whether the device still mapped the RX ring at the end of the last boot ("gone", "1:1", "kept"). */
    String mappingsAfterReset;

    NicLink(int index, NicAddressing addressing, InProcessWire wire, PeerRecorder rec) {
        this.index = index;
        this.addressing = addressing;
        this.wire = wire;
        this.rec = rec;
    }

    /**
     * Is the RX ring still mapped for the device: its GPA to the IOVA the frontend maps it at, then that
     * IOVA in the parent's translation (ASID 0).
     */
    void lookAtMappings() {
        Iova rxRing = slot.frontend().iova(rxRingGpa);
        DmaEntry e = slot.parent().translation(0).find(rxRing);
        mappingsAfterReset = e == null ? "gone" : e.identity() ? "1:1" : "kept";
    }

    /** This NIC's peer has seen a reply at least once. */
    boolean connected() {
        return rec.peerPings.firstReply() >= 0;
    }

    /** Notes the pages this device holds pinned now (before the power-off returns them). */
    void notePinned() {
        pinnedAtEnd = slot.kernelCounters().get(KernelEvent.PAGES_PINNED)
                - slot.kernelCounters().get(KernelEvent.PAGES_UNPINNED);
    }

    String device() {
        return slot.name();
    }

    /**
     * The run's timeline for the plot: with one NIC its replies and milestones (boot done among them);
     * with several, one line per NIC and every NIC's milestones, each named by its device.
     */
    static Timeline timeline(List<NicLink> links, double endMs) {
        if (links.size() == 1) {
            PeerRecorder r = links.get(0).rec;
            return new Timeline(r.replies.snapshot(), r.markers, endMs);
        }
        List<Timeline.Line> lines = new ArrayList<>();
        List<Timeline.Marker> markers = new ArrayList<>();
        for (NicLink l : links) {
            lines.add(new Timeline.Line(l.device(), l.rec.replies.snapshot()));
            markers.addAll(l.rec.markers);
        }
        return Timeline.ofNics(lines, markers, endMs);
    }

    static boolean allUp(List<NicLink> links) {
        return links.stream().allMatch(l -> l.rec.firstUp >= 0);
    }

    /** When the last interface's DRIVER_OK handling ended, or -1 while one is not up. */
    static long firstUp(List<NicLink> links) {
        return allUp(links) ? links.stream().mapToLong(l -> l.rec.firstUp).max().orElseThrow() : -1;
    }

    /** The first interface's probe failure, naming its device when there are several; or null. */
    static String probeFailure(List<NicLink> links) {
        for (NicLink l : links) {
            if (l.rec.probeFailure != null) {
                return links.size() == 1 ? l.rec.probeFailure : l.device() + ": " + l.rec.probeFailure;
            }
        }
        return null;
    }

    /** The run's failure when some NIC never got an echo reply back before the first reboot. */
    static String neverConnected(RunConfig cfg, List<NicLink> links) {
        if (links.size() == 1 && links.get(0).slot.mapFailures().count() == 0) {
            return RebootExperiment.neverConnected(cfg);
        }
        List<String> lost = new ArrayList<>();
        for (NicLink l : links) {
            if (!l.connected()) {
                lost.add(Devices.lostConnectivity(l));
            }
        }
        return String.join("; ", lost) + " — so none of the " + cfg.reboots() + " reboots was measured";
    }
}
