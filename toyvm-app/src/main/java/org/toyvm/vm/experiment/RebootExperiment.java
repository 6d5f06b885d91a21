package org.toyvm.vm.experiment;

import io.netty.buffer.ByteBufAllocator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.uapi.VhostUapi;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.guest.ToyGuest;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.report.NicResult;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.report.Timeline;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.NicAddressing;

/**
 * One run on the virtual clock with the in-process peer: boot, wait for the first echo reply (the
 * peer must have seen the guest answer before any reboot can be measured), traffic for the warm-up,
 * then for each reboot: reset, wait until the peer gets a reply to a request it sent after the reset
 * reached the device (or the timeout), settle. Every requested reboot runs, also after one that was
 * not restored.
 *
 * <p>Everything reported comes from the mechanisms: replies seen by the peer, the guest's frozen
 * vCPU time, the frontend's IOTLB message counts, the kernel's pin counters and the NIC's DMA faults,
 * taken as differences over each reboot's window (from the reset to the return of connectivity).
 * Time sums saturate at the end of the 64-bit clock instead of wrapping ({@link Durations#addSaturating}).
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

        /** Reboot {@code index} is about to begin (the warm-up or the previous reboot's settle time is over). */
        default void beforeReboot(Machine m, int index) {
        }

        /** The last reboot and the settle time are over; the machine is still on. */
        default void beforePowerOff(Machine m) {
        }
    }

    private final Inspector inspector;
    private boolean quieting = true;
    private long quietedNs;
    private final Progress progress;

    public RebootExperiment(RunConfig cfg, IotlbTraceSink trace, ByteBufAllocator alloc) {
        this(cfg, trace, alloc, Inspector.NONE);
    }

    public RebootExperiment(RunConfig cfg, IotlbTraceSink trace, ByteBufAllocator alloc, Inspector inspector) {
        this(cfg, trace, alloc, inspector, null);
    }

    /** {@code progress}: where long runs print a progress line a second (stderr), or null for none. */
    public RebootExperiment(RunConfig cfg, IotlbTraceSink trace, ByteBufAllocator alloc, Inspector inspector,
            PrintWriter progress) {
        this.cfg = cfg;
        this.trace = trace;
        this.alloc = alloc;
        this.inspector = inspector;
        this.progress = new Progress(progress);
    }

    /** What a finished run leaves: the report and the timeline for the plot. */
    public record Outcome(RunReport report, Timeline timeline, boolean persistOffered, boolean persistAcked) {
    }

    /**
     * NIC 0's view, which is also the guest's (boot done, vCPU freeze), plus what the virtual run alone
     * can look at: at boot done, whether each NIC's parent still maps its RX ring.
     */
    private static final class Recorder extends PeerRecorder {
        List<NicLink> links = List.of();

        Recorder(int flows) {
            super(flows);
        }

        @Override
        void beginReboot(int index, long t) {
            super.beginReboot(index, t);
            for (NicLink l : links) {
                l.mappingsAfterReset = null;
            }
        }

        @Override
        public void bootDone(long t) {
            super.bootDone(t);
            for (NicLink l : links) {
                l.lookAtMappings();
            }
        }
    }

    /**
     * Between the guest's DRIVER_OK write ({@code writtenAt}) and the end of its handling
     * ({@code doneAt}; the modelled pinning of all RAM: 40 minutes of virtual time at 32 TiB) the
     * guest cannot answer and the NIC has not started (the causal clock: it starts when DRIVER_OK
     * reaches it, after the mapping), so it drops the peer's ARP requests, and the peer's
     * unanswered pings cycle through its stack's pending queue (8). Only the last of those requests
     * (the queue flushed when ARP resolves) can change the run, so the peer skips the ticks in
     * between, keeping {@link #QUIET_MARGIN_TICKS} intervals at each end: the run is the same, and
     * its wall time no longer grows with the guest's memory size.
     */
    private void quietWhileDriverOkRuns(PeerHost peer, long writtenAt, long doneAt) {
        long margin = QUIET_MARGIN_TICKS * Math.max(1, cfg.pingIntervalNs());
        if (quieting && doneAt - writtenAt > 2 * margin) {
            peer.quietBetween(writtenAt + margin, doneAt - margin);
            quietedNs = doneAt - writtenAt - 2 * margin;
        }
    }

    /** Simulates every peer tick, also those {@link #quietWhileDriverOkRuns} would skip: the test's reference. */
    RebootExperiment withoutQuieting() {
        quieting = false;
        return this;
    }

    /** How long a stretch of peer ticks the last run skipped (0: none). */
    long quietedNs() {
        return quietedNs;
    }

    /** Ticks kept at each end of a skipped stretch: far more than the 64 + 8 frames that can matter. */
    static final long QUIET_MARGIN_TICKS = 1024;

    private static double ms(long ns) {
        return GuestRecorder.ms(ns);
    }

    public Outcome run() {
        VirtualScheduler s = new VirtualScheduler();
        int pairs = cfg.net().queuePairs();
        Recorder rec = new Recorder(pairs);
        List<NicAddressing> addrs = NicAddressing.all(cfg.net().nics(), cfg.mac(), cfg.ip(), cfg.peerIp(), PEER_MAC);
        List<NicLink> links = new ArrayList<>();
        for (NicAddressing a : addrs) {
            links.add(new NicLink(a.nic(), a, new InProcessWire(s, cfg.costs().wireLatencyNs()),
                    a.nic() == 0 ? rec : new PeerRecorder(pairs)));
        }
        rec.links = links;
        Machine m = new Machine(cfg.machine(), s, links.stream().map(l -> (WirePort) l.wire.endA()).toList(), trace,
                alloc);
        List<ToyGuest.Nic> ifaces = new ArrayList<>();
        for (NicLink l : links) {
            l.slot = m.slot(l.index);
            l.timeoutNs = cfg.timeoutNs();
            if (links.size() > 1) {
                l.rec.markerPrefix = l.device() + " ";
                l.rec.markDriverOk = l.index == 0;
            }
            ifaces.add(new ToyGuest.Nic(ToyGuest.layoutOf(l.index, pairs), l.addressing.mac(), l.addressing.ip(),
                    l.addressing.peerIp(), cfg.pingIntervalNs(), l.rec, pairs));
        }
        ToyGuest guest = new ToyGuest(m, ifaces, cfg.bootNs(), rec, alloc);
        for (NicLink l : links) {
            l.rxRingGpa = guest.layout(l.index).rxRing();
            l.peer = new PeerHost(s, l.wire.endB(), PEER_MAC, new Ipv4Cidr(l.addressing.peerIp(),
                    cfg.ip().prefixLength()), l.addressing.ip().address(), cfg.pingIntervalNs(), alloc, l.rec,
                    PeerFlows.flowIds(l.addressing.peerIp(), l.addressing.ip().address(), pairs));
        }
        List<Pending> pending = new ArrayList<>();
        String failure = null;
        List<RebootResult> results = new ArrayList<>();
        try {
            guest.powerOn();
            // The seed sets the peer's phase against the guest's (a deterministic offset within one interval).
            long phase = Math.floorMod(cfg.seed() * 0x9E3779B97F4A7C15L, Math.max(1, cfg.pingIntervalNs()));
            for (NicLink l : links) {
                s.schedule(l.peer::start, phase);
            }
            s.runUntil(cfg.timeoutNs(), () -> NicLink.allUp(links) || NicLink.probeFailure(links) != null
                    || progress.tick(() -> "booting... virtual t=" + secs(s.now())));
            long firstUp = NicLink.firstUp(links);
            if (firstUp >= 0 && firstUp <= cfg.timeoutNs()) {
                for (NicLink l : links) {
                    quietWhileDriverOkRuns(l.peer, s.now(), l.rec.firstUp);
                }
            }
            if (firstUp < 0 || firstUp > cfg.timeoutNs()) {
                // DRIVER_OK may have been written in time while its handling (the modelled pinning
                // and mapping) keeps the vCPU frozen far beyond the timeout: not up either.
                String probe = NicLink.probeFailure(links);
                failure = probe != null ? "guest probe failed: " + probe
                        : "the guest did not bring its interface" + (links.size() == 1 ? "" : "s") + " up within the"
                        + " timeout (" + Durations.format(cfg.timeoutNs()) + ")" + (firstUp > 0 ? "; its DRIVER_OK"
                        + " handling lasts until t=" + secs(firstUp) : "");
            } else if (cfg.reboots() == 0) {
                s.runUntil(Durations.addSaturating(firstUp, cfg.durationNs()),
                        () -> progress.tick(() -> "running... virtual t=" + secs(s.now())));
                inspector.beforePowerOff(m);
            } else {
                // No reboot before connectivity was seen once on every NIC: a reset before the first
                // reply would measure nothing (no "last reply before the reset").
                s.runUntil(Durations.addSaturating(firstUp, cfg.timeoutNs()),
                        () -> links.stream().allMatch(NicLink::connected) || progress.tick(() -> "waiting for the"
                                + " first echo reply... virtual t=" + secs(s.now())));
                if (!links.stream().allMatch(NicLink::connected)) {
                    failure = NicLink.neverConnected(cfg, links);
                } else {
                    long next = Math.max(Durations.addSaturating(firstUp, cfg.warmupNs()),
                            links.stream().mapToLong(l -> l.rec.peerPings.firstReply()).max().orElseThrow());
                    s.runUntil(next);
                    quiesce(s, links);
                    inspector.afterFirstBoot(m);
                    for (int i = 1; i <= cfg.reboots(); i++) {
                        s.runUntil(Math.max(s.now(), next));
                        inspector.beforeReboot(m, i);
                        pending.add(reboot(s, guest, rec, links, i));
                        Pending p = pending.get(pending.size() - 1);
                        int done = i;
                        progress.now(() -> "reboot " + done + "/" + cfg.reboots() + (p.restored ? "" : " NOT restored")
                                + ", virtual t=" + secs(s.now()));
                        next = Durations.addSaturating(s.now(), cfg.settleNs());
                    }
                    s.runUntil(Math.max(s.now(), next));
                    quiesce(s, links);
                    inspector.beforePowerOff(m);
                }
            }
            if (!s.failures().isEmpty()) {
                failure = "internal error: " + s.failures().get(0);
            }
        } finally {
            guest.shutdown();
            for (NicLink l : links) {
                l.notePinned();
                l.peer.stop();
            }
            m.close();
            // Drain what is in flight (frames on the wire, pending steps); nothing periodic is left.
            s.runUntil(Durations.addSaturating(s.now(), 3_600_000_000_000L), () -> s.pendingTasks() == 0);
            for (NicLink l : links) {
                l.wire.endA().close();
                l.wire.endB().close();
            }
        }
        // Counted once the run is over, so that replies still in flight at the end of a window count
        // as received.
        for (int i = 0; i < pending.size(); i++) {
            results.add(pending.get(i).result(rec.peerPings.windows().get(i), rec.guestPings.windows().get(i)));
        }
        long offered = m.frontend().offeredBackendFeatures();
        long acked = m.frontend().ackedBackendFeatures();
        RunReport report = new RunReport(cfg.toMap(), new RunReport.BackendFeatures(
                VhostUapi.backendFeatureNames(offered), VhostUapi.backendFeatureNames(acked)), results,
                summary(results, s.now(), failure))
                .withVmStart(StartStory.explain(cfg, links.stream().map(l -> l.slot).toList()));
        if (links.size() > 1 || links.stream().anyMatch(l -> l.slot.mapFailures().count() > 0)) {
            report = report.withDevices(links.stream().map(l -> Devices.report(cfg, l)).toList());
        }
        return new Outcome(report, NicLink.timeline(links, ms(s.now())),
                (offered & VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST)) != 0, m.frontend().persistAcked());
    }

    /** The run's failure when no echo reply ever came back before the first reboot. */
    static String neverConnected(RunConfig cfg) {
        return "no echo reply from the guest within " + Durations.format(cfg.timeoutNs()) + " after it came up:"
                + " connectivity was never established, so none of the " + cfg.reboots() + " reboots was measured";
    }

    private static String secs(long ns) {
        return String.format(java.util.Locale.ROOT, "%.1fs", ns / 1e9);
    }

    /**
     * Advances in small steps until no frame is on any wire (between two pings), at most 100 ping
     * intervals and 1 s (with pings faster than the wire's round trip there is no such moment, and
     * waiting a full second of them would cost far more than the run).
     */
    private void quiesce(VirtualScheduler s, List<NicLink> links) {
        long limit = Durations.addSaturating(s.now(), Math.min(1_000_000_000L,
                Durations.multiplySaturating(100, Math.max(1, cfg.pingIntervalNs()))));
        while (links.stream().anyMatch(l -> l.wire.inFlight() > 0) && s.now() < limit) {
            s.runUntil(Durations.addSaturating(s.now(), 10_000L));
        }
    }

    /** A reboot's result before its ping counts are final; {@code nics} each NIC's part. */
    private record Pending(int index, long requestedAt, boolean restored, Double downtimeMs, double freezeMs,
            String why, List<NicWindow> nics) {
        RebootResult result(PingLog.Window peer, PingLog.Window own) {
            if (nics.size() == 1) {
                NicWindow w = nics.get(0);
                return new RebootResult(index, restored, downtimeMs, freezeMs, peer.sent, peer.lost(), own.sent,
                        own.lost(), w.iotlb.total(), NicWindow.counts(w.iotlb), w.pinned, w.unpinned, w.faults, why,
                        w.pairsBackMs, null);
            }
            List<NicResult> parts = nics.stream().map(w -> w.result(index, requestedAt)).toList();
            long[] iotlb = new long[6];
            for (NicWindow w : nics) {
                iotlb[0] += w.iotlb.update();
                iotlb[1] += w.iotlb.invalidate();
                iotlb[2] += w.iotlb.batchBegin();
                iotlb[3] += w.iotlb.batchEnd();
                iotlb[4] += w.iotlb.cvqUpdate();
                iotlb[5] += w.iotlb.cvqInvalidate();
            }
            RebootResult.IotlbCounts sum = new RebootResult.IotlbCounts(iotlb[0], iotlb[1], iotlb[2], iotlb[3],
                    iotlb[4] + iotlb[5] == 0 ? null : new RebootResult.AsidCounts(iotlb[4], iotlb[5]));
            return new RebootResult(index, restored, downtimeMs, freezeMs,
                    parts.stream().mapToLong(NicResult::pingsSent).sum(),
                    parts.stream().mapToLong(NicResult::pingsLost).sum(),
                    parts.stream().mapToLong(NicResult::guestPingsSent).sum(),
                    parts.stream().mapToLong(NicResult::guestPingsLost).sum(), sum.total(), sum,
                    parts.stream().mapToLong(NicResult::pagesPinned).sum(),
                    parts.stream().mapToLong(NicResult::pagesUnpinned).sum(),
                    parts.stream().mapToLong(NicResult::dmaFaults).sum(), why, null, parts);
        }
    }

    /**
     * One reboot: the guest resets every device, boots, probes each; the reboot is restored when every
     * NIC has connectivity again (each NIC's own rule: a reply to a request its peer sent after its
     * device's reset). The headline downtime is the one of the NIC that came back last.
     */
    private Pending reboot(VirtualScheduler s, ToyGuest guest, Recorder rec, List<NicLink> links, int index) {
        List<NicWindow> windows = links.stream().map(NicWindow::new).toList();
        long frozen0 = rec.frozenNs;
        long tReq = s.now();
        for (NicLink l : links) {
            l.rec.beginReboot(index, tReq);
        }
        guest.reboot();
        s.runUntil(Durations.addSaturating(tReq, cfg.timeoutNs()),
                () -> links.stream().allMatch(l -> l.rec.restoredAt >= 0) || progress.tick(() -> "reboot " + index
                        + "/" + cfg.reboots() + "... virtual t=" + secs(s.now())));
        long now = s.now();
        for (NicWindow w : windows) {
            w.close(now, tReq);
        }
        boolean restored = windows.stream().allMatch(w -> w.restored);
        NicWindow last = restored ? windows.stream().max(Comparator.comparingLong((NicWindow w) -> w.restoredAt)
                .thenComparingDouble(w -> w.downtimeMs)).orElseThrow()
                : windows.stream().filter(w -> !w.restored).findFirst().orElseThrow();
        long end = restored ? last.restoredAt : now;
        for (NicWindow w : windows) {
            NicLink l = w.link;
            w.story = new RebootStory(cfg, l.slot.frontend().persistAcked(), l.rec.resetAt >= 0, w.cleanMap,
                    l.mappingsAfterReset, rec.bootDoneInReboot, l.rec.driverOkInReboot, l.rec.probeFailureInReboot,
                    w.iotlb, w.pinned, w.faults, w.restored, w.downtimeMs, w.downAtReset, index,
                    guest.busyUntil() > (w.restored ? w.restoredAt : now)).explain();
        }
        String why = windows.size() == 1 ? windows.get(0).story
                : last.link.device() + (restored ? " came back last: " : " did not come back: ") + last.story
                + (last.mapFailures.isEmpty() ? "" : "; " + last.link.device() + " could not map guest memory: "
                        + last.mapFailures.get(0).describe());
        // The freeze inside the window: a charged cost longer than the window was not all spent in it.
        long frozen = Math.min(rec.frozenNs - frozen0, end - tReq);
        return new Pending(index, tReq, restored, restored ? last.downtimeMs : null, ms(frozen), why, windows);
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
            ps += r.pingsSent() == null ? 0 : r.pingsSent();
            pl += r.pingsLost() == null ? 0 : r.pingsLost();
            gs += r.guestPingsSent();
            gl += r.guestPingsLost();
            faults += r.dmaFaults();
        }
        return new RunReport.Summary(rs.size(), restored, max, restored == 0 ? null : sum / restored, maxFreeze, ps, pl,
                gs, gl, faults, ms(end), failure);
    }
}
