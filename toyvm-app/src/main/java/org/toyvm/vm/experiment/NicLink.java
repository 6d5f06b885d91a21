package org.toyvm.vm.experiment;

import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.machine.NetSlot;
import org.toyvm.vm.stack.NicAddressing;

/**
 * One NIC of a virtual run, as the experiment measures it: its own wire to its own in-process peer,
 * its addresses, and the recorder of what the peer and the guest interface saw on it (its pings, its
 * device's reset, its DRIVER_OK, its return). The run has one per NIC; NIC 0's recorder is also the
 * guest's (boot, vCPU freeze), as in a run of one NIC.
 *
 * <p>A NIC carries one ping flow today; a NIC with several flows (one per queue pair) keeps them here,
 * and "restored" stays this unit's question: every flow of it back.
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

    /** Is the RX ring still mapped for the device: its GPA to the IOVA the frontend maps it at, then the parent's translation (ASID 0). */
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
}
