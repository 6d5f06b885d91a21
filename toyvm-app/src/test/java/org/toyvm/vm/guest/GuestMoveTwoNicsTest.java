package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.NicAddressing;
import org.toyvm.vm.stack.Packets;

/**
 * A two-NIC guest migrated: each interface's rings, exits and interrupt line move to the same NIC of
 * the destination (eth1 on NIC 1 of B, not NIC 0), and both go on answering their own peers on B.
 */
class GuestMoveTwoNicsTest {
    static final int NICS = 2;

    /** One machine's wiring: a wire and a peer per NIC. */
    private static final class Side {
        final List<InProcessWire> wires = new ArrayList<>();
        final List<PeerHost> peers = new ArrayList<>();
        Machine m;
    }

    private static final class Counts implements GuestEvents {
        long answered;

        @Override
        public void echoRequestAnswered(Packets.Echo request, long t) {
            answered++;
        }
    }

    @Test
    void eachInterfaceMovesToTheSameNicOfTheDestination() {
        VirtualScheduler s = new VirtualScheduler();
        MachineConfig base = MigrationRig.config();
        MachineConfig cfg = new MachineConfig(base.memoryBytes(), base.kernel(), ParentSpec.shipped(ParentKind.MLX5),
                base.policy(), base.costs(), base.mac(), QemuVersion.newest(), Optional.empty(),
                NetTopology.SINGLE.withNics(NICS));
        List<NicAddressing> addrs = NicAddressing.all(NICS, base.mac(), MigrationRig.GUEST_IP,
                MigrationRig.PEER_IP.address(), MigrationRig.PEER_MAC);
        Side a = side(s, cfg, addrs);
        Side b = side(s, cfg, addrs);
        List<Counts> counts = List.of(new Counts(), new Counts());
        List<ToyGuest.Nic> nics = new ArrayList<>();
        for (int n = 0; n < NICS; n++) {
            NicAddressing ad = addrs.get(n);
            nics.add(new ToyGuest.Nic(ToyGuest.layoutOf(n, 1), ad.mac(), ad.ip(), ad.peerIp(), MigrationRig.PING_NS,
                    counts.get(n), 1));
        }
        ToyGuest guest = new ToyGuest(a.m, nics, 2_000_000_000L, new GuestEvents() { }, MigrationRig.ALLOC);
        try {
            guest.powerOn();
            a.peers.forEach(PeerHost::start);
            s.runUntil(s.now() + 1_000_000_000L);
            assertTrue(guest.up());

            guest.pause();
            a.peers.forEach(PeerHost::stop);
            s.runUntil(s.now() + 5_000_000L);
            int[][] bases = new int[NICS][];
            for (int n = 0; n < NICS; n++) {
                bases[n] = DeviceHandover.stopSource(a.m, n, 1);
            }
            a.m.ram().copyTo(b.m.ram());
            for (int n = 0; n < NICS; n++) {
                DeviceHandover.startDestination(a.m, b.m, n, guest.layout(n), bases[n]);
            }
            s.runUntil(s.now() + 100_000_000L);
            long[] before = {counts.get(0).answered, counts.get(1).answered};
            long[] bRx = {b.m.slot(0).nic().counters().rxFrames(), b.m.slot(1).nic().counters().rxFrames()};
            guest.moveTo(b.m);
            b.peers.forEach(PeerHost::start);
            guest.resume();
            s.runUntil(s.now() + 1_000_000_000L);

            for (int n = 0; n < NICS; n++) {
                long more = counts.get(n).answered - before[n];
                assertTrue(more > 90, "interface " + n + " answers its peer on B: " + more);
                assertTrue(b.m.slot(n).nic().counters().rxFrames() - bRx[n] > 180,
                        "NIC " + n + " of B carries interface " + n + "'s traffic both ways");
            }
            assertEquals(0, guest.txDropped());
        } finally {
            guest.shutdown();
            for (Side x : List.of(a, b)) {
                x.peers.forEach(PeerHost::stop);
                x.m.close();
            }
            s.runUntil(s.now() + 1_000_000_000L, () -> s.pendingTasks() == 0);
            for (Side x : List.of(a, b)) {
                for (InProcessWire w : x.wires) {
                    w.endA().close();
                    w.endB().close();
                }
            }
        }
    }

    private static Side side(VirtualScheduler s, MachineConfig cfg, List<NicAddressing> addrs) {
        Side side = new Side();
        List<WirePort> ports = new ArrayList<>();
        for (int n = 0; n < NICS; n++) {
            InProcessWire w = new InProcessWire(s, 20_000L);
            side.wires.add(w);
            ports.add(w.endA());
        }
        side.m = new Machine(cfg, s, ports, IotlbTraceSink.NONE, MigrationRig.ALLOC);
        for (int n = 0; n < NICS; n++) {
            NicAddressing ad = addrs.get(n);
            side.peers.add(new PeerHost(s, side.wires.get(n).endB(), MigrationRig.PEER_MAC,
                    new Ipv4Cidr(ad.peerIp(), ad.ip().prefixLength()), ad.ip().address(), MigrationRig.PING_NS,
                    MigrationRig.ALLOC, new PeerHost.Events() {
                        @Override
                        public void requestSent(int flow, int seq, long t) {
                        }

                        @Override
                        public void replyReceived(int flow, int seq, long t) {
                        }
                    }));
        }
        return side;
    }
}
