package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.vm.machine.Machine;

/**
 * A paused guest (a live migration's vm_stop: its vCPU stopped, its devices not) does nothing until
 * it resumes: its pinger sends nothing, the peer's echo requests that arrive meanwhile are not
 * answered, the device's interrupts stay pending — once per queue — and are handled at resume, when
 * every request that arrived is answered and the pinger goes on with its next sequence number.
 */
class GuestPauseTest {
    static final int PEER = PeerHost.PING_ID;

    @Test
    void nothingRunsWhilePausedAndThePendingInterruptsAreHandledAtResume() {
        try (MigrationRig rig = new MigrationRig()) {
            Machine m = rig.machine(MigrationRig.config(), PEER);
            ToyGuest guest = rig.guest(m);
            guest.powerOn();
            rig.peerOf(m).start();
            rig.runFor(1_000_000_000L);
            assertTrue(guest.up());
            assertTrue(rig.guestReplied.size() > 50, "the guest's pings are answered: " + rig.guestReplied.size());
            long answeredBefore = rig.answersFrom(PEER);
            assertTrue(answeredBefore > 50, "the peer's pings are answered: " + answeredBefore);
            int sentBefore = rig.guestSent.size();
            int lastSeq = rig.guestSent.get(sentBefore - 1).seq();
            long rxBefore = guest.rxFrames();

            guest.pause();
            long pausedAt = rig.s.now();
            assertTrue(guest.paused());
            rig.runFor(300_000_000L);

            assertEquals(sentBefore, rig.guestSent.size(), "no ping sent while paused");
            assertEquals(answeredBefore, rig.answersFrom(PEER), "no echo request answered while paused");
            assertEquals(rxBefore, guest.rxFrames(), "nothing received by the stopped vCPU");
            assertTrue(m.nic().counters().rxFrames() >= 29, "the device kept receiving into the posted buffers: "
                    + m.nic().counters().rxFrames());
            // Held: the pinger's tick and the RX queue's interrupt (once, however many frames came),
            // perhaps a TX completion's: never one step per frame.
            assertTrue(guest.heldSteps() >= 2 && guest.heldSteps() <= 3, "held " + guest.heldSteps());

            long resumedAt = rig.s.now();
            guest.resume();
            assertFalse(guest.paused());
            rig.runFor(1_000_000L);

            assertEquals(0, guest.heldSteps());
            long late = rig.answered.stream().filter(a -> a.id() == PEER && a.t() >= resumedAt).count();
            assertTrue(late >= 29, "every request that arrived while paused is answered at resume: " + late);
            assertTrue(rig.answered.stream().noneMatch(a -> a.t() > pausedAt && a.t() < resumedAt));
            assertEquals(rig.answered.size(), rig.answered.stream().map(a -> a.id() + ":" + a.seq()).distinct().count(),
                    "each request answered once");
            MigrationRig.Ping next = rig.guestSent.get(sentBefore);
            assertEquals(resumedAt, next.t(), "the ping that came due while paused goes out at resume");
            assertEquals(lastSeq + 1, next.seq(), "and the sequence goes on");
            rig.runFor(200_000_000L);
            assertTrue(rig.guestReplied.stream().anyMatch(p -> p.seq() > lastSeq + 5), "pings answered after resume");
            assertEquals(0, guest.txDropped());
        }
    }

    @Test
    void pauseAndResumeRefuseTheWrongState() {
        try (MigrationRig rig = new MigrationRig()) {
            Machine m = rig.machine(MigrationRig.config(), PEER);
            Machine other = rig.machine(MigrationRig.config(), PEER + 1);
            ToyGuest guest = rig.guest(m);
            IllegalStateException e = assertThrows(IllegalStateException.class, guest::resume);
            assertTrue(e.getMessage().contains("not paused"), e.getMessage());
            e = assertThrows(IllegalStateException.class, () -> guest.moveTo(other));
            assertTrue(e.getMessage().contains("running"), e.getMessage());
            guest.pause();
            assertThrows(IllegalStateException.class, guest::pause);
            guest.resume();
            assertEquals(m, guest.machine(), "a refused move leaves the guest where it was");
        }
    }

    @Test
    void aGuestPausedBeforeItsFirstProbeProbesAtResume() {
        try (MigrationRig rig = new MigrationRig()) {
            Machine m = rig.machine(MigrationRig.config(), PEER);
            ToyGuest guest = rig.guest(m);
            guest.powerOn();
            guest.pause();
            rig.runFor(500_000_000L);
            assertFalse(m.virtioNet().started(), "the probe did not run");
            assertEquals(List.of(), rig.guestSent);
            guest.resume();
            rig.runFor(500_000_000L);
            assertTrue(guest.up());
            assertTrue(m.virtioNet().started());
        }
    }

    @Test
    void aRebootAskedForWhilePausedHappensAtResume() {
        try (MigrationRig rig = new MigrationRig()) {
            Machine m = rig.machine(MigrationRig.config(), PEER);
            ToyGuest guest = rig.guest(m);
            guest.powerOn();
            rig.runFor(500_000_000L);
            assertTrue(guest.up());
            guest.pause();
            guest.reboot();
            rig.runFor(100_000_000L);
            assertTrue(m.virtioNet().started(), "the reset was not written: the vCPU is stopped");
            assertTrue(guest.up());
            guest.resume();
            rig.runFor(1_000_000L);
            assertFalse(m.virtioNet().started(), "written at resume");
            assertFalse(guest.up());
            rig.runFor(3_000_000_000L);
            assertTrue(guest.up(), "booted and probed again");
        }
    }
}
