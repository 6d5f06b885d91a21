package org.toyvm.vm.experiment;

import io.netty.buffer.ByteBufAllocator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.net.device.VirtioNetState;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.LearningSwitch;
import org.toyvm.netdev.WirePort;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.guest.ToyGuest;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.NetSlot;
import org.toyvm.vm.migration.RamTransfer;
import org.toyvm.vm.report.MigrationReport;
import org.toyvm.vm.report.Timeline;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.NicAddressing;

/**
 * One live migration on the virtual clock (docs/migration.md §2, docs/DESIGN.md): a source machine and
 * a destination machine of the same shape — each its own process, kernel, parents and NICs, sharing
 * nothing but the scheduler — with each NIC's peer behind a learning switch that both hosts' NICs hang
 * off. The guest boots on the source and talks to its peers; then, stage by stage:
 * <ol>
 * <li>the destination QEMU starts ({@code -incoming}: open, SET_OWNER, and with early map every RAM
 *     section mapped); the {@code migrate} command is given once it is ready;</li>
 * <li>MIG_EVENT_PRECOPY_SETUP: each NIC in turn switches its data queues to shadow virtqueues
 *     ({@code vhost_vdpa_net_log_global_enable}), one synchronous operation of the source's main
 *     loop — the NIC's traffic stops at its SUSPEND and resumes at its last enable;</li>
 * <li>the pre-copy ({@link RamTransfer}): the guest keeps running, its packets through QEMU's SVQs;</li>
 * <li>the stop-and-copy: vm_stop pauses the vCPUs, then stops every NIC's vhost device
 *     ({@code virtio_vmstate_change}); the device state and the rest of RAM go over;</li>
 * <li>the destination loads the state, starts every NIC in passthrough ({@code vm_start}: the state
 *     notifiers run before the vCPUs resume), then the guest resumes there; its first frame teaches the
 *     switch its new port.</li>
 * </ol>
 * Everything reported is measured off the mechanisms: the hosts' cost meters across each stage, the
 * frontends' IOTLB counters, the kernels' pin counters, the ioctls' causal times and the peers' pings.
 */
public final class MigrationExperiment {
    private static final MacAddress PEER_MAC = MacAddress.parse("52:54:00:00:00:01");

    private final MigrationConfig cfg;
    private final RunConfig rc;
    private final IotlbTraceSink trace;
    private final ByteBufAllocator alloc;
    private final Progress progress;

    public MigrationExperiment(MigrationConfig cfg, IotlbTraceSink trace, ByteBufAllocator alloc, PrintWriter progress) {
        this.cfg = cfg;
        this.rc = cfg.run();
        this.trace = trace;
        this.alloc = alloc;
        this.progress = new Progress(progress);
    }

    /** A finished migration: the report and the timeline for the plot. */
    public record Outcome(MigrationReport report, Timeline timeline) {
    }

    /** One NIC's three wires: the peer's, the source's and the destination's, joined by a switch. */
    private record Segment(InProcessWire peer, InProcessWire source, InProcessWire destination, LearningSwitch sw) {
        List<InProcessWire> wires() {
            return List.of(peer, source, destination);
        }
    }

    public Outcome run() {
        VirtualScheduler s = new VirtualScheduler();
        int pairs = rc.net().queuePairs();
        long latency = rc.costs().wireLatencyNs();
        List<NicAddressing> addrs = NicAddressing.all(rc.net().nics(), rc.mac(), rc.ip(), rc.peerIp(), PEER_MAC);
        List<Segment> segments = new ArrayList<>();
        List<NicLink> links = new ArrayList<>();
        for (NicAddressing a : addrs) {
            InProcessWire p = new InProcessWire(s, latency);
            InProcessWire src = new InProcessWire(s, latency);
            InProcessWire dst = new InProcessWire(s, latency);
            segments.add(new Segment(p, src, dst, new LearningSwitch(List.of(p.endA(), src.endB(), dst.endB()))));
            MigrationRecorder rec = new MigrationRecorder(pairs);
            if (addrs.size() > 1) {
                rec.markerPrefix = NetSlot.deviceName(a.nic()) + " ";
                rec.markDriverOk = a.nic() == 0;
            }
            links.add(new NicLink(a.nic(), a, p, rec));
        }
        MigrationRecorder guestRec = (MigrationRecorder) links.get(0).rec;
        Machine source = new Machine(machineConfig(), s, segments.stream().map(g -> g.source().endA()).toList(),
                HostTrace.of(trace, "source"), alloc);
        List<ToyGuest.Nic> ifaces = new ArrayList<>();
        for (NicLink l : links) {
            l.slot = source.slot(l.index);
            l.timeoutNs = rc.timeoutNs();
            ifaces.add(new ToyGuest.Nic(ToyGuest.layoutOf(l.index, pairs), l.addressing.mac(), l.addressing.ip(),
                    l.addressing.peerIp(), rc.pingIntervalNs(), l.rec, pairs));
        }
        ToyGuest guest = new ToyGuest(source, ifaces, rc.bootNs(), guestRec, alloc);
        for (NicLink l : links) {
            l.rxRingGpa = guest.layout(l.index).rxRing();
            l.peer = new PeerHost(s, segments.get(l.index).peer().endB(), PEER_MAC, new Ipv4Cidr(l.addressing.peerIp(),
                    rc.ip().prefixLength()), l.addressing.ip().address(), rc.pingIntervalNs(), alloc, l.rec,
                    PeerFlows.flowIds(l.addressing.peerIp(), l.addressing.ip().address(), pairs));
        }
        MigrationStages stages = new MigrationStages(cfg, s, links, progress);
        Machine destination = null;
        String failure;
        try {
            guest.powerOn();
            long phase = Math.floorMod(rc.seed() * 0x9E3779B97F4A7C15L, Math.max(1, rc.pingIntervalNs()));
            for (NicLink l : links) {
                s.schedule(l.peer::start, phase);
            }
            failure = stages.bootAndConnect();
            if (failure == null) {
                destination = stages.startDestination(() -> new Machine(machineConfig(), s,
                        segments.stream().map(g -> (WirePort) g.destination().endA()).toList(),
                        HostTrace.of(trace, "destination"), alloc));
                failure = stages.migrate(source, destination, guest);
            }
            if (failure == null && !s.failures().isEmpty()) {
                failure = "internal error: " + s.failures().get(0);
            }
        } finally {
            guest.shutdown();
            for (NicLink l : links) {
                l.peer.stop();
            }
            source.close();
            if (destination != null) {
                destination.close();
            }
            s.runUntil(Durations.addSaturating(s.now(), 3_600_000_000_000L), () -> s.pendingTasks() == 0);
            for (Segment g : segments) {
                for (InProcessWire w : g.wires()) {
                    w.endA().close();
                    w.endB().close();
                }
            }
        }
        MigrationReport report = stages.report(failure, s.now());
        return new Outcome(report, NicLink.timeline(links, GuestRecorder.ms(s.now())));
    }

    /** The machine both hosts build: the run's, with the migration's techniques and mlx5 MKEY code. */
    private org.toyvm.vm.machine.MachineConfig machineConfig() {
        return rc.machine().withTechniques(cfg.techniques()).withMlx5(cfg.mlx5());
    }

    /** For the state carried from source to destination: one per NIC, in order. */
    static List<VirtioNetState> saveStates(Machine m) {
        List<VirtioNetState> out = new ArrayList<>();
        for (NetSlot slot : m.nics()) {
            out.add(slot.virtioNet().saveState());
        }
        return out;
    }
}
