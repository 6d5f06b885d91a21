package org.toyvm.vm.experiment;

import io.netty.buffer.ByteBufAllocator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.net.vhost.FrontendCounters;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.uapi.VhostUapi;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.guest.ToyGuest;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.report.Timeline;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;

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

    /** The peer's view plus what the virtual run alone can look at: the parent's mapping after the boot. */
    private static final class Recorder extends PeerRecorder {
        Recorder(int flows) {
            super(flows);
        }

        String mappingsAfterReset;
        Machine machine;
        Gpa rxRingGpa;

        @Override
        void beginReboot(int index, long t) {
            super.beginReboot(index, t);
            mappingsAfterReset = null;
        }

        @Override
        public void bootDone(long t) {
            super.bootDone(t);
            // Is the RX ring still mapped for the device: its GPA to the IOVA the frontend maps it at,
            // then that IOVA in the parent's translation (ASID 0).
            Iova rxRing = machine.frontend().iova(rxRingGpa);
            DmaEntry e = machine.parent().translation(0).find(rxRing);
            mappingsAfterReset = e == null ? "gone" : e.identity() ? "1:1" : "kept";
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
        InProcessWire wire = new InProcessWire(s, cfg.costs().wireLatencyNs());
        int pairs = cfg.net().queuePairs();
        Recorder rec = new Recorder(pairs);
        Machine m = new Machine(cfg.machine(), s, wire.endA(), trace, alloc);
        rec.machine = m;
        ToyGuest guest = new ToyGuest(m, cfg.mac(), cfg.ip(), cfg.peerIp(), cfg.pingIntervalNs(), cfg.bootNs(), rec,
                alloc);
        rec.rxRingGpa = guest.layout().rxRing();
        PeerHost peer = new PeerHost(s, wire.endB(), PEER_MAC, new Ipv4Cidr(cfg.peerIp(), cfg.ip().prefixLength()),
                cfg.ip().address(), cfg.pingIntervalNs(), alloc, rec, PeerFlows.flowIds(cfg.peerIp(),
                cfg.ip().address(), pairs));
        List<Pending> pending = new ArrayList<>();
        String failure = null;
        List<RebootResult> results = new ArrayList<>();
        try {
            guest.powerOn();
            // The seed sets the peer's phase against the guest's (a deterministic offset within one interval).
            long phase = Math.floorMod(cfg.seed() * 0x9E3779B97F4A7C15L, Math.max(1, cfg.pingIntervalNs()));
            s.schedule(peer::start, phase);
            s.runUntil(cfg.timeoutNs(), () -> rec.firstUp >= 0 || rec.probeFailure != null
                    || progress.tick(() -> "booting... virtual t=" + secs(s.now())));
            if (rec.firstUp >= 0 && rec.firstUp <= cfg.timeoutNs()) {
                quietWhileDriverOkRuns(peer, s.now(), rec.firstUp);
            }
            if (rec.firstUp < 0 || rec.firstUp > cfg.timeoutNs()) {
                // DRIVER_OK may have been written in time while its handling (the modelled pinning
                // and mapping) keeps the vCPU frozen far beyond the timeout: not up either.
                failure = rec.probeFailure != null ? "guest probe failed: " + rec.probeFailure
                        : "the guest did not bring its interface up within the timeout ("
                        + Durations.format(cfg.timeoutNs()) + ")" + (rec.firstUp > 0 ? "; its DRIVER_OK handling"
                        + " lasts until t=" + secs(rec.firstUp) : "");
            } else if (cfg.reboots() == 0) {
                s.runUntil(Durations.addSaturating(rec.firstUp, cfg.durationNs()),
                        () -> progress.tick(() -> "running... virtual t=" + secs(s.now())));
                inspector.beforePowerOff(m);
            } else {
                // No reboot before connectivity was seen once: a reset before the first reply would
                // measure nothing (no "last reply before the reset").
                s.runUntil(Durations.addSaturating(rec.firstUp, cfg.timeoutNs()),
                        () -> rec.peerPings.firstReply() >= 0 || progress.tick(() -> "waiting for the first echo"
                                + " reply... virtual t=" + secs(s.now())));
                if (rec.peerPings.firstReply() < 0) {
                    failure = neverConnected(cfg);
                } else {
                    long next = Math.max(Durations.addSaturating(rec.firstUp, cfg.warmupNs()),
                            rec.peerPings.firstReply());
                    s.runUntil(next);
                    quiesce(s, wire);
                    inspector.afterFirstBoot(m);
                    for (int i = 1; i <= cfg.reboots(); i++) {
                        s.runUntil(Math.max(s.now(), next));
                        inspector.beforeReboot(m, i);
                        pending.add(reboot(s, m, guest, rec, i));
                        Pending p = pending.get(pending.size() - 1);
                        int done = i;
                        progress.now(() -> "reboot " + done + "/" + cfg.reboots() + (p.restored ? "" : " NOT restored")
                                + ", virtual t=" + secs(s.now()));
                        next = Durations.addSaturating(s.now(), cfg.settleNs());
                    }
                    s.runUntil(Math.max(s.now(), next));
                    quiesce(s, wire);
                    inspector.beforePowerOff(m);
                }
            }
            if (!s.failures().isEmpty()) {
                failure = "internal error: " + s.failures().get(0);
            }
        } finally {
            guest.shutdown();
            peer.stop();
            m.close();
            // Drain what is in flight (frames on the wire, pending steps); nothing periodic is left.
            s.runUntil(Durations.addSaturating(s.now(), 3_600_000_000_000L), () -> s.pendingTasks() == 0);
            wire.endA().close();
            wire.endB().close();
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
                summary(results, s.now(), failure)).withVmStart(StartStory.of(cfg, m.frontend()).explain());
        return new Outcome(report, new Timeline(rec.replies.snapshot(), rec.markers, ms(s.now())),
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
     * Advances in small steps until no frame is on the wire (between two pings), at most 100 ping
     * intervals and 1 s (with pings faster than the wire's round trip there is no such moment, and
     * waiting a full second of them would cost far more than the run).
     */
    private void quiesce(VirtualScheduler s, InProcessWire wire) {
        long limit = Durations.addSaturating(s.now(), Math.min(1_000_000_000L,
                Durations.multiplySaturating(100, Math.max(1, cfg.pingIntervalNs()))));
        while (wire.inFlight() > 0 && s.now() < limit) {
            s.runUntil(Durations.addSaturating(s.now(), 10_000L));
        }
    }

    /** A reboot's result before its ping counts are final. */
    private record Pending(int index, boolean restored, Double downtimeMs, double freezeMs, FrontendCounters iotlb,
            long pinned, long unpinned, long faults, String why, List<Double> pairsBackMs) {
        RebootResult result(PingLog.Window peer, PingLog.Window own) {
            return new RebootResult(index, restored, downtimeMs, freezeMs, peer.sent, peer.lost(), own.sent, own.lost(),
                    iotlb.total(), new RebootResult.IotlbCounts(iotlb.update(), iotlb.invalidate(), iotlb.batchBegin(),
                            iotlb.batchEnd()), pinned, unpinned, faults, why, pairsBackMs);
        }
    }

    private Pending reboot(VirtualScheduler s, Machine m, ToyGuest guest, Recorder rec, int index) {
        FrontendCounters f0 = m.frontend().counters().snapshot();
        long pinned0 = m.kernelCounters().get(KernelEvent.PAGES_PINNED);
        long unpinned0 = m.kernelCounters().get(KernelEvent.PAGES_UNPINNED);
        long compat0 = m.kernelCounters().get(KernelEvent.COMPAT_RESET);
        long faults0 = m.nic().dmaFaults();
        long frozen0 = rec.frozenNs;
        long tReq = s.now();
        rec.beginReboot(index, tReq);
        guest.reboot();
        s.runUntil(Durations.addSaturating(tReq, cfg.timeoutNs()), () -> rec.restoredAt >= 0
                || progress.tick(() -> "reboot " + index + "/" + cfg.reboots() + "... virtual t=" + secs(s.now())));
        boolean restored = rec.restoredAt >= 0;
        long end = restored ? rec.restoredAt : s.now();
        rec.endReboot(end);
        FrontendCounters f = m.frontend().counters().minus(f0);
        long pinned = m.kernelCounters().get(KernelEvent.PAGES_PINNED) - pinned0;
        long unpinned = m.kernelCounters().get(KernelEvent.PAGES_UNPINNED) - unpinned0;
        long faults = m.nic().dmaFaults() - faults0;
        boolean cleanMap = m.kernelCounters().get(KernelEvent.COMPAT_RESET) > compat0;
        boolean downAtReset = rec.downAtReset();
        Double downtime = rec.downtimeMs();
        String why = new RebootStory(cfg, m.frontend().persistAcked(), rec.resetAt >= 0, cleanMap,
                rec.mappingsAfterReset, rec.bootDoneInReboot, rec.driverOkInReboot, rec.probeFailureInReboot, f,
                pinned, faults, restored, downtime, downAtReset, index, guest.busyUntil() > end).explain();
        // The freeze inside the window: a charged cost longer than the window was not all spent in it.
        long frozen = Math.min(rec.frozenNs - frozen0, end - tReq);
        return new Pending(index, restored, downtime, ms(frozen), f, pinned, unpinned, faults, why, rec.pairsBackMs());
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
