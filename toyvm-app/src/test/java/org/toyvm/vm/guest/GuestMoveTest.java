package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.machine.NetTopology;

/**
 * A guest migrated between two machines in one process: paused on A, A's NIC stopped, A's RAM copied
 * to B's, B's device started with A's features, queue addresses and vring bases ({@link DeviceHandover},
 * standing in for the VMM's device-state save/load), the guest moved to B and resumed. It goes on
 * where it stopped — the same ping sequence, the same rings (no frame received twice, no TX buffer
 * lost), its ARP entry (no ARP on B before its first ping) — and from then on only B's RAM, MMIO and
 * interrupts are its own.
 */
class GuestMoveTest {
    static final int PEER_A = PeerHost.PING_ID;
    static final int PEER_B = PeerHost.PING_ID + 1;

    private static int availIdx(Machine m, org.toyvm.core.addr.Gpa ring) {
        long at = DriverRing.Layout.contiguous(ring, GuestLayout.QUEUE_SIZE).avail().value() + SplitRing.AVAIL_IDX;
        return m.ram().getU16(at) & 0xffff; // guest RAM from GPA 0 below 3G: GPA = pc.ram offset
    }

    private static int usedIdx(Machine m, org.toyvm.core.addr.Gpa ring) {
        long at = DriverRing.Layout.contiguous(ring, GuestLayout.QUEUE_SIZE).used().value() + SplitRing.USED_IDX;
        return m.ram().getU16(at) & 0xffff;
    }

    @Test
    void aGuestMovedToACopyOfItsMachineGoesOnWhereItStopped() {
        try (MigrationRig rig = new MigrationRig()) {
            Machine a = rig.machine(MigrationRig.config(), PEER_A);
            Machine b = rig.machine(MigrationRig.config(), PEER_B);
            ToyGuest guest = rig.guest(a);
            GuestLayout layout = guest.layout();
            guest.powerOn();
            rig.peerOf(a).start();
            rig.runFor(1_000_000_000L);
            assertTrue(guest.up());
            assertTrue(rig.answersFrom(PEER_A) > 50 && rig.guestReplied.size() > 50);

            // Stop-and-copy: vCPU paused, source device stopped, RAM copied.
            guest.pause();
            rig.peerOf(a).stop();
            rig.runFor(5_000_000L); // frames already on the wire land; their interrupt stays pending
            int[] bases = DeviceHandover.stopSource(a, 1);
            int rxUsed = usedIdx(a, layout.rxRing());
            assertEquals(rxUsed, bases[VirtioNet.rxQueue(0)], "a stopped RX queue has used all it took");
            assertEquals(usedIdx(a, layout.txRing()), bases[VirtioNet.txQueue(0)]);
            long copied = a.ram().copyTo(b.ram());
            assertTrue(copied > 0 && copied <= 64L << 20, "only the touched RAM is copied: " + copied + " bytes of 1 GiB");

            // Switchover: B's device takes A's state, the guest moves and resumes.
            DeviceHandover.startDestination(a, b, layout, bases);
            rig.runFor(100_000_000L);
            assertFalse(b.nic().startPending());
            int sentBefore = rig.guestSent.size();
            int lastSeq = rig.guestSent.get(sentBefore - 1).seq();
            int aTxAvail = availIdx(a, layout.txRing());
            long aRxFrames = a.nic().counters().rxFrames();
            long arps = guest.iface(0).stack().arpRequestsSent();
            assertTrue(arps > 0, "the guest resolved its peer on A");
            guest.moveTo(b);
            assertSame(b, guest.machine());
            assertTrue(guest.paused(), "moving does not resume");
            rig.peerOf(b).start();
            long resumedAt = rig.s.now();
            guest.resume();
            rig.runFor(1_000_000_000L);

            MigrationRig.Ping next = rig.guestSent.get(sentBefore);
            assertEquals(lastSeq + 1, next.seq(), "the pinger's sequence goes on");
            assertEquals(resumedAt, next.t());
            assertTrue(rig.guestReplied.stream().filter(p -> p.seq() > lastSeq).count() > 90,
                    "B's peer answers the guest's pings");
            assertTrue(rig.answersFrom(PEER_B) > 90, "the guest answers B's peer: " + rig.answersFrom(PEER_B));
            assertEquals(rig.answered.size(), rig.answered.stream().map(x -> x.id() + ":" + x.seq()).distinct().count(),
                    "no frame received twice: the driver's used index came along");
            assertEquals(0, guest.txDropped(), "no TX buffer lost");
            assertEquals(arps, guest.iface(0).stack().arpRequestsSent(), "the ARP cache came along: no new request");
            assertEquals(guest.iface(0).driver().txFree(0), GuestLayout.QUEUE_SIZE,
                    "every TX buffer is back in the free list once B used them");
            assertTrue(availIdx(b, layout.txRing()) > aTxAvail + 90, "the rings are written in B's RAM");
            assertEquals(aTxAvail, availIdx(a, layout.txRing()), "and no longer in A's");
            assertEquals(aRxFrames, a.nic().counters().rxFrames());
            assertEquals(0, b.virtioNet().guestErrors());
        }
    }

    @Test
    void afterTheMoveTheGuestsExitsGoToTheDestination() {
        try (MigrationRig rig = new MigrationRig()) {
            Machine a = rig.machine(MigrationRig.config(), PEER_A);
            Machine b = rig.machine(MigrationRig.config(), PEER_B);
            ToyGuest guest = rig.guest(a);
            guest.powerOn();
            rig.runFor(500_000_000L);
            assertTrue(guest.up());
            guest.pause();
            int[] bases = DeviceHandover.stopSource(a, 1);
            a.ram().copyTo(b.ram());
            DeviceHandover.startDestination(a, b, guest.layout(), bases);
            guest.moveTo(b);
            guest.resume();
            int aStatus = a.virtioNet().status();

            guest.reboot(); // a status-0 write, a boot, a probe: every exit to B's virtio-mmio window
            rig.peerOf(b).start();
            rig.runFor(3_000_000_000L);

            assertEquals(aStatus, a.virtioNet().status(), "A's device saw nothing");
            assertTrue(guest.up());
            assertTrue((b.virtioNet().status() & VirtioStatus.DRIVER_OK) != 0);
            assertTrue(rig.answersFrom(PEER_B) > 50, "the guest probed B's device and answers B's peer");
        }
    }

    @Test
    void aMoveToAMachineOfAnotherShapeIsRefusedAndChangesNothing() {
        try (MigrationRig rig = new MigrationRig(); MigrationRig elsewhere = new MigrationRig()) {
            MachineConfig base = MigrationRig.config();
            Machine a = rig.machine(base, PEER_A);
            ToyGuest guest = rig.guest(a);
            guest.pause();
            Machine twoNics = rig.bare(withNet(base, NetTopology.SINGLE.withNics(2)));
            Machine twoPairs = rig.bare(withNet(base, NetTopology.SINGLE.withQueuePairs(2)));
            Machine bigger = rig.bare(new MachineConfig(2L << 30, base.kernel(), ParentKind.MLX5, base.policy(),
                    base.costs(), base.mac()));
            Machine otherClock = elsewhere.bare(base);
            assertRefused(guest, twoNics, "2 NICs");
            assertRefused(guest, twoPairs, "2 queue pairs");
            assertRefused(guest, bigger, "bytes of RAM");
            assertRefused(guest, otherClock, "scheduler");
            assertRefused(guest, a, "already");
            assertSame(a, guest.machine());
            guest.resume();
            guest.powerOn();
            rig.runFor(500_000_000L);
            assertTrue(guest.up(), "the guest still runs on A: its interrupts were never unhooked");
        }
    }

    private static MachineConfig withNet(MachineConfig c, NetTopology net) {
        return new MachineConfig(c.memoryBytes(), c.kernel(), ParentSpec.shipped(ParentKind.MLX5), c.policy(), c.costs(),
                c.mac(), QemuVersion.newest(), Optional.empty(), net);
    }

    private static void assertRefused(ToyGuest guest, Machine dest, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> guest.moveTo(dest));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
