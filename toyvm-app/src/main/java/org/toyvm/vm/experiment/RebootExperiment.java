package org.toyvm.vm.experiment;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.net.vhost.FrontendCounters;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.vdpa.dma.DmaEntry;
import org.toyvm.vdpa.kernel.KernelEvent;
import org.toyvm.vdpa.uapi.VhostUapi;
import org.toyvm.vdpa.wire.InProcessWire;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.guest.ToyGuest;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.report.Timeline;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.Ipv4Cidr;

/**
 * One run on the virtual clock with the in-process peer: boot, traffic for the warm-up, then for
 * each reboot: reset, wait until the peer gets an echo reply again (or the timeout), settle.
 *
 * <p>Everything reported comes from the mechanisms: replies seen by the peer, the guest's frozen
 * vCPU time, the frontend's IOTLB message counts, the kernel's pin counters and the NIC's DMA faults,
 * taken as differences over each reboot's window (from the reset to the return of connectivity).
 */
public final class RebootExperiment {
    private static final MacAddress PEER_MAC = MacAddress.parse("52:54:00:00:00:01");

    private final RunConfig cfg;
    private final IotlbTraceSink trace;
    private final ByteBufAllocator alloc;

    /** Looks at the machine at two moments of a run (tests use it to check that nothing leaks). */
    public interface Inspector {
        Inspector NONE = new Inspector() {
        };

        /** The guest's first boot is done (its interface is up). */
        default void afterFirstBoot(Machine m) {
        }

        /** The last reboot and the settle time are over; the machine is still on. */
        default void beforePowerOff(Machine m) {
        }
    }

    private final Inspector inspector;

    public RebootExperiment(RunConfig cfg, IotlbTraceSink trace, ByteBufAllocator alloc) {
        this(cfg, trace, alloc, Inspector.NONE);
    }

    public RebootExperiment(RunConfig cfg, IotlbTraceSink trace, ByteBufAllocator alloc, Inspector inspector) {
        this.cfg = cfg;
        this.trace = trace;
        this.alloc = alloc;
        this.inspector = inspector;
    }

    /** What a finished run leaves: the report and the timeline for the plot. */
    public record Outcome(RunReport report, Timeline timeline, boolean persistOffered, boolean persistAcked) {
    }

    /** The guest's events plus the peer's view, which decides when connectivity is back. */
    private final class Recorder extends GuestRecorder implements PeerHost.Events {
        final PingLog peerPings = new PingLog();
        long windowStart = -1;
        long restoredAt = -1;
        String mappingsAfterReset;
        Machine machine;

        @Override
        public void requestSent(int seq, long t) {
            peerPings.sent(seq, t);
        }

        @Override
        public void replyReceived(int seq, long t) {
            peerPings.replied(seq, t);
            if (windowStart >= 0 && restoredAt < 0 && t > windowStart) {
                restoredAt = t;
                markers.add(new Timeline.Marker(ms(t), "restored #" + rebootIndex));
            }
        }

        @Override
        public void bootDone(long t) {
            super.bootDone(t);
            DmaEntry e = machine.parent().translation(0).find(ToyGuest.RX_RING);
            mappingsAfterReset = e == null ? "gone" : e.identity() ? "1:1" : "kept";
        }
    }

    private static double ms(long ns) {
        return GuestRecorder.ms(ns);
    }

    public Outcome run() {
        VirtualScheduler s = new VirtualScheduler();
        InProcessWire wire = new InProcessWire(s, cfg.costs().wireLatencyNs());
        Recorder rec = new Recorder();
        Machine m = new Machine(new MachineConfig(cfg.memoryBytes(), cfg.kernel(), cfg.parent(), cfg.policy(),
                cfg.costs(), cfg.mac()), s, wire.endA(), trace, alloc);
        rec.machine = m;
        ToyGuest guest = new ToyGuest(m, cfg.mac(), cfg.ip(), cfg.peerIp(), cfg.pingIntervalNs(), cfg.bootNs(), rec,
                alloc);
        PeerHost peer = new PeerHost(s, wire.endB(), PEER_MAC, new Ipv4Cidr(cfg.peerIp(), cfg.ip().prefixLength()),
                cfg.ip().address(), cfg.pingIntervalNs(), alloc, rec);
        List<RebootResult> results = new ArrayList<>();
        String failure = null;
        try {
            guest.powerOn();
            // The seed sets the peer's phase against the guest's (a deterministic offset within one interval).
            long phase = Math.floorMod(cfg.seed() * 0x9E3779B97F4A7C15L, Math.max(1, cfg.pingIntervalNs()));
            s.schedule(peer::start, phase);
            s.runUntil(cfg.timeoutNs(), () -> rec.firstUp >= 0 || rec.probeFailure != null);
            if (rec.firstUp < 0) {
                failure = rec.probeFailure != null ? "guest probe failed: " + rec.probeFailure
                        : "the guest did not bring its interface up within the timeout";
            } else if (cfg.reboots() == 0) {
                s.runUntil(rec.firstUp + cfg.durationNs());
                inspector.beforePowerOff(m);
            } else {
                long next = rec.firstUp + cfg.warmupNs();
                s.runUntil(next);
                quiesce(s, wire);
                inspector.afterFirstBoot(m);
                for (int i = 1; i <= cfg.reboots(); i++) {
                    s.runUntil(next);
                    RebootResult r = reboot(s, m, guest, rec, i);
                    results.add(r);
                    if (!r.restored()) {
                        break;
                    }
                    next = rec.restoredAt + cfg.settleNs();
                }
                s.runUntil(Math.max(s.now(), next));
                quiesce(s, wire);
                inspector.beforePowerOff(m);
                // Replies still in flight at the end of a window are counted as received, not lost.
                results = recount(results, rec);
            }
            if (!s.failures().isEmpty()) {
                failure = "internal error: " + s.failures().get(0);
            }
        } finally {
            guest.shutdown();
            peer.stop();
            m.close();
            // Drain what is in flight (frames on the wire, pending steps); nothing periodic is left.
            s.runUntil(s.now() + 3_600_000_000_000L, () -> s.pendingTasks() == 0);
            wire.endA().close();
            wire.endB().close();
        }
        long offered = m.frontend().offeredBackendFeatures();
        long acked = m.frontend().ackedBackendFeatures();
        RunReport report = new RunReport(cfg.toMap(), new RunReport.BackendFeatures(
                VhostUapi.backendFeatureNames(offered), VhostUapi.backendFeatureNames(acked)), results,
                summary(results, s.now(), failure));
        List<Double> replies = rec.peerPings.replyTimes().stream().map(RebootExperiment::ms).toList();
        return new Outcome(report, new Timeline(replies, rec.markers, ms(s.now())),
                (offered & VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST)) != 0, m.frontend().persistAcked());
    }

    /** Advances in small steps until no frame is on the wire (between two pings), at most 1 s. */
    private static void quiesce(VirtualScheduler s, InProcessWire wire) {
        long limit = s.now() + 1_000_000_000L;
        while (wire.inFlight() > 0 && s.now() < limit) {
            s.runUntil(s.now() + 10_000L);
        }
    }

    private final List<long[]> windows = new ArrayList<>(); // {start, end} per reboot

    private RebootResult reboot(VirtualScheduler s, Machine m, ToyGuest guest, Recorder rec, int index) {
        FrontendCounters f0 = m.frontend().counters().snapshot();
        long pinned0 = m.kernelCounters().get(KernelEvent.PAGES_PINNED);
        long unpinned0 = m.kernelCounters().get(KernelEvent.PAGES_UNPINNED);
        long compat0 = m.kernelCounters().get(KernelEvent.COMPAT_RESET);
        long faults0 = m.nic().dmaFaults();
        long frozen0 = rec.frozenNs;
        long tR = s.now();
        rec.rebootIndex = index;
        rec.windowStart = tR;
        rec.restoredAt = -1;
        rec.mappingsAfterReset = null;
        guest.reboot();
        s.runUntil(tR + cfg.timeoutNs(), () -> rec.restoredAt >= 0);
        boolean restored = rec.restoredAt >= 0;
        long end = restored ? rec.restoredAt : s.now();
        rec.windowStart = -1;
        windows.add(new long[] {tR, end});
        FrontendCounters f = m.frontend().counters().minus(f0);
        long pinned = m.kernelCounters().get(KernelEvent.PAGES_PINNED) - pinned0;
        long unpinned = m.kernelCounters().get(KernelEvent.PAGES_UNPINNED) - unpinned0;
        long faults = m.nic().dmaFaults() - faults0;
        boolean cleanMap = m.kernelCounters().get(KernelEvent.COMPAT_RESET) > compat0;
        Double downtime = null;
        if (restored) {
            long last = rec.peerPings.lastReplyAtOrBefore(tR);
            downtime = ms(rec.restoredAt - (last >= 0 ? last : tR));
        }
        String why = explain(m, restored, f, pinned, faults, cleanMap, rec.mappingsAfterReset, downtime);
        return new RebootResult(index, restored, downtime, ms(rec.frozenNs - frozen0), 0, 0, 0, 0, f.total(),
                new RebootResult.IotlbCounts(f.update(), f.invalidate(), f.batchBegin(), f.batchEnd()), pinned,
                unpinned, faults, why);
    }

    /** Fills in ping counts once the run is over, so that late replies count as received. */
    private List<RebootResult> recount(List<RebootResult> rs, Recorder rec) {
        List<RebootResult> out = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            RebootResult r = rs.get(i);
            long[] w = windows.get(i);
            long[] peer = rec.peerPings.sentAndLost(w[0], w[1]);
            long[] own = rec.guestPings.sentAndLost(w[0], w[1]);
            out.add(new RebootResult(r.index(), r.restored(), r.downtimeMs(), r.vcpuFreezeMs(), peer[0], peer[1],
                    own[0], own[1], r.iotlbMessages(), r.iotlb(), r.pagesPinned(), r.pagesUnpinned(), r.dmaFaults(),
                    r.explanation()));
        }
        return out;
    }

    /** In words: what the frontend and the kernel did with the mappings, and what that did to the datapath. */
    private String explain(Machine m, boolean restored, FrontendCounters f, long pinned, long faults,
            boolean cleanMap, String mappingsAfterReset, Double downtime) {
        List<String> parts = new ArrayList<>();
        String reset = cleanMap ? "kernel " + cfg.kernel() + " reset the " + cfg.parent() + " parent with CLEAN_MAP"
                : "kernel " + cfg.kernel() + " reset the " + cfg.parent() + " parent without cleaning the map";
        parts.add(reset + (mappingsAfterReset == null ? "" : "; the parent's mappings after reset: "
                + switch (mappingsAfterReset) {
                    case "kept" -> "kept";
                    case "1:1" -> "dropped (1:1 map in their place)";
                    default -> "none";
                }));
        if (f.total() == 0) {
            parts.add(m.frontend().persistAcked() ? "mappings kept by userspace: IOTLB_PERSIST acked, no IOTLB messages"
                    : "userspace (" + cfg.policy() + ") kept its mappings without IOTLB_PERSIST acked and sent no"
                    + " IOTLB messages");
        } else {
            parts.add("userspace (" + cfg.policy() + ") unmapped at reset (" + f.invalidate() + " INVALIDATE) and mapped"
                    + " again at DRIVER_OK (" + f.update() + " UPDATE, " + pinned + " pages pinned again)");
        }
        if (restored) {
            parts.add(String.format(java.util.Locale.ROOT, "connectivity back after %.1f ms", downtime));
        } else if (faults > 0) {
            parts.add("DMA faults after reset (" + faults + "): the parent dropped its mappings and userspace did not"
                    + " restore them; connectivity not restored within " + Durations.format(cfg.timeoutNs()));
        } else {
            parts.add("connectivity not restored within " + Durations.format(cfg.timeoutNs()));
        }
        return String.join("; ", parts);
    }

    /** Totals over a run's reboots; {@code end} is the run time in ns. */
    static RunReport.Summary summary(List<RebootResult> rs, long end, String failure) {
        int restored = 0;
        Double max = null;
        double sum = 0;
        double maxFreeze = 0;
        long ps = 0;
        long pl = 0;
        long gs = 0;
        long gl = 0;
        long faults = 0;
        for (RebootResult r : rs) {
            if (r.restored()) {
                restored++;
                max = max == null ? r.downtimeMs() : Math.max(max, r.downtimeMs());
                sum += r.downtimeMs();
            }
            maxFreeze = Math.max(maxFreeze, r.vcpuFreezeMs());
            ps += r.pingsSent();
            pl += r.pingsLost();
            gs += r.guestPingsSent();
            gl += r.guestPingsLost();
            faults += r.dmaFaults();
        }
        return new RunReport.Summary(rs.size(), restored, max, restored == 0 ? null : sum / restored, maxFreeze, ps, pl,
                gs, gl, faults, ms(end), failure);
    }
}
