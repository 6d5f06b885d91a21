package org.toyvm.vm.guest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.Packets;

/**
 * Machines with a toy guest and an in-process peer, on one virtual clock, for the migration tests:
 * each machine on its own wire to its own peer (the peers share the guest's view: the same MAC and
 * IP, a different ICMP identifier so a test knows which one asked). Records what the guest and the
 * peers report. Closes everything it built.
 */
final class MigrationRig implements AutoCloseable {
    static final long PING_NS = 10_000_000L;
    static final MacAddress GUEST_MAC = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress PEER_MAC = MacAddress.parse("52:54:00:aa:bb:cc");
    static final Ipv4Cidr GUEST_IP = Ipv4Cidr.parse("192.168.77.2/24");
    static final Ipv4Cidr PEER_IP = Ipv4Cidr.parse("192.168.77.1/24");
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    static final long MEMORY = 1L << 30;

    record Ping(int seq, long t) {
    }

    /** An echo request the guest answered: which peer's (its ICMP id), its sequence number, when. */
    record Answer(int id, int seq, long t) {
    }

    final VirtualScheduler s = new VirtualScheduler();
    final List<Ping> guestSent = new ArrayList<>();
    final List<Ping> guestReplied = new ArrayList<>();
    final List<Answer> answered = new ArrayList<>();
    private final List<InProcessWire> wires = new ArrayList<>();
    private final List<Machine> machines = new ArrayList<>();
    private final List<PeerHost> peers = new ArrayList<>();
    private final List<ToyGuest> guests = new ArrayList<>();

    final GuestEvents events = new GuestEvents() {
        @Override
        public void guestPingSent(int seq, long t) {
            guestSent.add(new Ping(seq, t));
        }

        @Override
        public void guestPingReplied(int seq, long t) {
            guestReplied.add(new Ping(seq, t));
        }

        @Override
        public void echoRequestAnswered(Packets.Echo request, long t) {
            answered.add(new Answer(request.id(), request.seq(), t));
        }
    };

    static MachineConfig config() {
        return new MachineConfig(MEMORY, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.LEGACY,
                CostProfile.defaults(), GUEST_MAC);
    }

    /** A machine of {@code config} on a wire of its own, whose far end is a peer pinging as {@code peerId}. */
    Machine machine(MachineConfig config, int peerId) {
        InProcessWire wire = new InProcessWire(s, 20_000L);
        wires.add(wire);
        Machine m = new Machine(config, s, wire.endA(), IotlbTraceSink.NONE);
        machines.add(m);
        peers.add(new PeerHost(s, wire.endB(), PEER_MAC, PEER_IP, GUEST_IP.address(), PING_NS, ALLOC,
                new PeerHost.Events() {
                    @Override
                    public void requestSent(int flow, int seq, long t) {
                    }

                    @Override
                    public void replyReceived(int flow, int seq, long t) {
                    }
                }, new int[] {peerId}));
        return m;
    }

    /** A machine of {@code config} with a wire per NIC and nobody at the far ends. */
    Machine bare(MachineConfig config) {
        List<org.toyvm.netdev.WirePort> ports = new ArrayList<>();
        for (int n = 0; n < config.net().nics(); n++) {
            InProcessWire wire = new InProcessWire(s, 20_000L);
            wires.add(wire);
            ports.add(wire.endA());
        }
        Machine m = new Machine(config, s, ports, IotlbTraceSink.NONE, ALLOC);
        machines.add(m);
        peers.add(null);
        return m;
    }

    /** The peer at the far end of machine {@code m}'s wire. */
    PeerHost peerOf(Machine m) {
        return peers.get(machines.indexOf(m));
    }

    /** The toy guest on {@code m}, pinging its peer every {@link #PING_NS}. */
    ToyGuest guest(Machine m) {
        ToyGuest g = new ToyGuest(m, GUEST_MAC, GUEST_IP, PEER_IP.address(), PING_NS, 2_000_000_000L, events, ALLOC);
        guests.add(g);
        return g;
    }

    void runFor(long ns) {
        s.runUntil(s.now() + ns);
    }

    long answersFrom(int peerId) {
        return answered.stream().filter(a -> a.id() == peerId).count();
    }

    @Override
    public void close() {
        for (ToyGuest g : guests) {
            if (g.paused()) {
                g.resume();
            }
            g.shutdown();
        }
        for (PeerHost p : peers) {
            if (p != null) {
                p.stop();
            }
        }
        for (Machine m : machines) {
            m.close();
        }
        s.runUntil(s.now() + 1_000_000_000L, () -> s.pendingTasks() == 0);
        for (InProcessWire w : wires) {
            w.endA().close();
            w.endB().close();
        }
    }
}
