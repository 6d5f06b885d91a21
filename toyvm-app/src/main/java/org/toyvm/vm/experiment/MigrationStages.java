package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.net.device.VirtioNetState;
import org.toyvm.vm.guest.ToyGuest;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.NetSlot;
import org.toyvm.vm.migration.RamTransfer;
import org.toyvm.vm.report.MigrationReport;

/**
 * The stages of one migration ({@link MigrationExperiment}), each run where QEMU runs it and measured as
 * it runs: a stage of QEMU's main loop is one synchronous operation on that host's cost meter (what it
 * makes visible — a NIC stopping at its SUSPEND, starting at DRIVER_OK — takes hold at the cost charged
 * before it), and the host is busy until the operation's cost has elapsed.
 */
final class MigrationStages {
    private static final int SWITCH = 1;
    private static final int SWITCHOVER = 2;

    private final MigrationConfig cfg;
    private final RunConfig rc;
    private final VirtualScheduler s;
    private final List<NicLink> links;
    private final Progress progress;
    private final List<MigrationReport.Stage> stages = new ArrayList<>();
    private final double[] switchMs;
    private final double[] stopMs;
    private final double[] startMs;
    private final Double[] switchDowntime;
    private final Double[] switchoverDowntime;
    private RamTransfer ram;
    private long lastSuspendAt = -1;
    private long lastEnableAt = -1;
    private long pausedNs;
    private boolean completed;
    private long quietNs;
    /** The cost of the last {@link #vmStateChange} operation, ns. */
    private long opCost;

    MigrationStages(MigrationConfig cfg, VirtualScheduler s, List<NicLink> links, Progress progress) {
        this.cfg = cfg;
        this.rc = cfg.run();
        this.s = s;
        this.links = links;
        this.progress = progress;
        int n = links.size();
        switchMs = new double[n];
        stopMs = new double[n];
        startMs = new double[n];
        switchDowntime = new Double[n];
        switchoverDowntime = new Double[n];
    }

    private static String secs(long ns) {
        return String.format(java.util.Locale.ROOT, "%.1fs", ns / 1e9);
    }

    /**
     * The peers send nothing in {@code [from + margin, until - margin)} when that stretch exists: a
     * stretch in which nothing they send can change the run — the NIC is stopped (its switch), or the
     * vCPUs are paused (the switchover), or the datapath through the shadow virtqueues is in its
     * steady state (the middle of the pre-copy). {@link RebootExperiment#QUIET_MARGIN_TICKS} intervals
     * are kept at each end, so every window opens and closes on simulated pings; the run's wall time no
     * longer grows with the guest's memory size (the same rule as a reboot's DRIVER_OK handling).
     */
    private void quiet(List<NicLink> which, long from, long until) {
        long margin = RebootExperiment.QUIET_MARGIN_TICKS * Math.max(1, rc.pingIntervalNs());
        if (until - from > 2 * margin) {
            for (NicLink l : which) {
                l.peer.quietBetween(from + margin, until - margin);
            }
            quietNs += until - from - 2 * margin;
        }
    }

    /** Peer time not simulated by {@link #quiet}, ns. */
    long quietNs() {
        return quietNs;
    }

    /** Boots the guest on the source and waits for every NIC's first reply and the warm-up; null or why not. */
    String bootAndConnect() {
        s.runUntil(rc.timeoutNs(), () -> NicLink.allUp(links) || NicLink.probeFailure(links) != null
                || progress.tick(() -> "booting... virtual t=" + secs(s.now())));
        long up = NicLink.firstUp(links);
        if (up < 0 || up > rc.timeoutNs()) {
            String probe = NicLink.probeFailure(links);
            return probe != null ? "guest probe failed: " + probe
                    : "the guest did not bring its interfaces up within the timeout (" + Durations.format(rc.timeoutNs()) + ")";
        }
        quiet(links, s.now(), up); // the DRIVER_OK handling (with 10.1+, the mapping of all RAM) runs until then
        s.runUntil(Durations.addSaturating(up, rc.timeoutNs()), () -> links.stream().allMatch(NicLink::connected));
        if (!links.stream().allMatch(NicLink::connected)) {
            return "no echo reply from the guest on every NIC within " + Durations.format(rc.timeoutNs())
                    + " after it came up: nothing to migrate a connection of";
        }
        s.runUntil(Math.max(s.now(), Durations.addSaturating(up, rc.warmupNs())));
        return null;
    }

    /**
     * The destination QEMU starts ({@code -incoming}): its init runs on its own host, and the migrate
     * command is given when it is done (with early map, that includes mapping every RAM section).
     */
    Machine startDestination(Supplier<Machine> build) {
        long t = s.now();
        Machine d = build.get();
        long cost = d.meter().total();
        for (NetSlot slot : d.nics()) {
            stages.add(StageMeter.sinceCreation(d.meter(), slot).stage("destination start-up", "destination", t, t, null));
        }
        quiet(links, t, Durations.addSaturating(t, cost)); // the source runs on, in its steady passthrough state
        s.runUntil(Durations.addSaturating(t, cost));
        return d;
    }

    /** Every stage from the migrate command to the guest's connectivity on the destination; null or why it failed. */
    String migrate(Machine source, Machine dest, ToyGuest guest) {
        String err = switchToShadow(source);
        if (err != null) {
            return err;
        }
        ram = cfg.ram();
        long precopyEnd = Durations.addSaturating(s.now(), ram.precopyNs());
        stages.add(new MigrationReport.Stage("pre-copy (" + ram.rounds().size()
                + (ram.rounds().size() == 1 ? " round)" : " rounds)"), "both", null,
                StageMeter.ms(s.now()), StageMeter.ms(precopyEnd), StageMeter.ms(ram.precopyNs()), null, 0, 0,
                java.util.Map.of(), null));
        quiet(links, s.now(), precopyEnd);
        s.runUntil(precopyEnd, () -> progress.tick(() -> "pre-copy... virtual t=" + secs(s.now())));
        for (int k = 0; k < links.size(); k++) {
            MigrationRecorder r = rec(k);
            switchDowntime[k] = r.restoredAt >= 0 ? r.downtimeMs() : null;
            r.endReboot(s.now());
        }
        if (!ram.converged()) {
            return "the pre-copy does not converge: the guest dirties " + cfg.dirtyRate() + " B/s against a bandwidth of "
                    + cfg.bandwidth() + " B/s, and " + ram.stopCopyBytes() + " B would be left for the stop-and-copy"
                    + " (more than the downtime limit allows); QEMU would keep iterating";
        }
        return switchover(source, dest, guest);
    }

    private MigrationRecorder rec(int k) {
        return (MigrationRecorder) links.get(k).rec;
    }

    /** MIG_EVENT_PRECOPY_SETUP: vdpa_net_migration_state_notifier switches each NIC, one after another. */
    private String switchToShadow(Machine source) {
        long t0 = s.now();
        CostMeter m = source.meter();
        m.beginOperation(0);
        String err = null;
        for (int k = 0; k < links.size() && err == null; k++) {
            NetSlot slot = source.slot(k);
            long at = t0 + m.chargedInOperation();
            StageMeter sm = new StageMeter(m, slot);
            err = slot.frontend().logGlobalEnable(true);
            switchMs[k] = StageMeter.ms(sm.costNs());
            stages.add(sm.stage("switch to shadow virtqueues", "source", at, at, err));
            MigrationRecorder r = rec(k);
            s.schedule(() -> r.disruptionBegins(SWITCH, at, "SVQ switch"), at - s.now());
            quiet(List.of(links.get(k)), at, at + sm.costNs());
            if (err != null) {
                err = slot.name() + " could not switch to shadow virtqueues: " + err;
            }
        }
        long cost = m.endOperation();
        s.runUntil(Durations.addSaturating(t0, cost));
        return err;
    }

    /** vm_stop on the source, the rest of RAM and the device state, vm_start on the destination. */
    private String switchover(Machine source, Machine dest, ToyGuest guest) {
        long tStop = s.now();
        guest.pause(); // do_vm_stop: pause_all_vcpus, then the state notifiers
        for (NicLink l : links) {
            ((MigrationRecorder) l.rec).disruptionBegins(SWITCHOVER, tStop, "vm_stop");
        }
        String err = vmStateChange(source, false, stopMs, "stop (vm_stop)", "source", "did not stop cleanly on the source");
        long stopCost = opCost;
        // The interval starts at the stop's last SUSPEND; a device without SUSPEND (its stop resets it
        // instead) starts it at vm_stop. A SUSPEND of the switch, earlier, does not count.
        lastSuspendAt = tStop;
        for (NetSlot slot : source.nics()) {
            lastSuspendAt = Math.max(lastSuspendAt, slot.ioctls().lastAt("SUSPEND"));
        }
        List<VirtioNetState> states = MigrationExperiment.saveStates(source);
        long sent = Durations.addSaturating(tStop, stopCost);
        long arrive = Durations.addSaturating(sent, ram.stopCopyNs());
        stages.add(new MigrationReport.Stage("stop-and-copy: rest of RAM and device state", "both", null,
                StageMeter.ms(sent), StageMeter.ms(arrive), StageMeter.ms(ram.stopCopyNs()), null, 0, 0,
                java.util.Map.of(), null));
        long margin = RebootExperiment.QUIET_MARGIN_TICKS * Math.max(1, rc.pingIntervalNs());
        quiet(links, tStop, Durations.addSaturating(arrive, margin)); // continued below to the resume
        s.runUntil(arrive);
        if (err != null) {
            return err;
        }
        source.ram().copyTo(dest.ram());
        for (int k = 0; k < links.size(); k++) {
            dest.slot(k).virtioNet().loadState(states.get(k));
        }
        guest.moveTo(dest);
        err = vmStateChange(dest, true, startMs, "start (vm_start)", "destination", "did not start on the destination");
        long startCost = opCost;
        for (NetSlot slot : dest.nics()) {
            lastEnableAt = Math.max(lastEnableAt, slot.ioctls().lastAt("VDPA_SET_VRING_ENABLE"));
        }
        long resumeAt = Durations.addSaturating(arrive, startCost);
        pausedNs = resumeAt - tStop;
        if (resumeAt - margin > arrive && arrive - tStop > 2 * margin) {
            for (NicLink l : links) {
                l.peer.quietBetween(arrive, resumeAt - margin);
            }
            quietNs += resumeAt - margin - arrive;
        }
        s.schedule(guest::resume, resumeAt - s.now());
        completed = err == null;
        if (err != null) {
            return err;
        }
        s.runUntil(Durations.addSaturating(resumeAt, rc.timeoutNs()),
                () -> links.stream().allMatch(l -> l.rec.restoredAt >= 0)
                        || progress.tick(() -> "waiting for the guest on the destination... virtual t=" + secs(s.now())));
        for (int k = 0; k < links.size(); k++) {
            MigrationRecorder r = rec(k);
            switchoverDowntime[k] = r.restoredAt >= 0 ? r.downtimeMs() : null;
            r.endReboot(s.now());
        }
        s.runUntil(Durations.addSaturating(s.now(), rc.warmupNs()));
        for (int k = 0; k < links.size(); k++) {
            if (switchoverDowntime[k] == null) {
                return links.get(k).device() + ": no reply from the guest on the destination within "
                        + Durations.format(rc.timeoutNs()) + " of its resume";
            }
        }
        return null;
    }

    /**
     * vm_state_notify on one host: every NIC's virtio_vmstate_change, in NIC order, as one operation of
     * that host's main loop starting now; each NIC's cost goes to {@code perNicMs} and its stage to the
     * report. Answers the first NIC's failure (prefixed with its device and {@code failed}) or null; the
     * operation's cost is left in {@link #opCost}.
     */
    private String vmStateChange(Machine host, boolean running, double[] perNicMs, String stage, String hostName,
            String failed) {
        long t = s.now();
        CostMeter m = host.meter();
        m.beginOperation(0);
        String err = null;
        for (int k = 0; k < links.size(); k++) {
            NetSlot slot = host.slot(k);
            long at = t + m.chargedInOperation();
            StageMeter sm = new StageMeter(m, slot);
            String e = slot.virtioNet().vmStateChange(running);
            perNicMs[k] = StageMeter.ms(sm.costNs());
            stages.add(sm.stage(stage, hostName, at, at, e));
            if (e != null && err == null) {
                err = slot.name() + " " + failed + ": " + e;
            }
        }
        opCost = m.endOperation();
        return err;
    }

    /** The report, once the run is over (replies in flight at a window's end count as received). */
    MigrationReport report(String failure, long endNs) {
        List<MigrationReport.Nic> nics = new ArrayList<>();
        long sent = 0;
        long lost = 0;
        double worst = 0;
        double sum = 0;
        for (int k = 0; k < links.size(); k++) {
            NicLink l = links.get(k);
            List<PingLog.Window> w = l.rec.peerPings.windows();
            PingLog.Window w1 = w.size() > 0 ? w.get(0) : null;
            PingLog.Window w2 = w.size() > 1 ? w.get(1) : null;
            nics.add(new MigrationReport.Nic(l.device(), switchMs[k], switchDowntime[k], w1 == null ? 0 : w1.sent,
                    w1 == null ? 0 : w1.lost(), stopMs[k], startMs[k], switchoverDowntime[k], w2 == null ? 0 : w2.sent,
                    w2 == null ? 0 : w2.lost()));
            sent += l.rec.peerPings.requests();
            lost += l.rec.peerPings.requests() - l.rec.peerPings.replies();
            worst = Math.max(worst, switchMs[k]);
            sum += stopMs[k] + startMs[k];
        }
        MigrationReport.Ram r = ram == null ? null : new MigrationReport.Ram(ram.converged(),
                ram.rounds().stream().map(x -> new MigrationReport.Round(x.index(), x.bytes(), StageMeter.ms(x.ns())))
                        .toList(), StageMeter.ms(ram.precopyNs()), ram.precopyBytes(), ram.stopCopyBytes(),
                StageMeter.ms(ram.stopCopyNs()));
        MigrationReport.Downtimes d = new MigrationReport.Downtimes(worst, StageMeter.ms(Math.round(sum * 1e6)),
                lastSuspendAt < 0 || lastEnableAt < 0 ? 0 : StageMeter.ms(lastEnableAt - lastSuspendAt),
                max(switchDowntime), max(switchoverDowntime), StageMeter.ms(pausedNs));
        return new MigrationReport(cfg.toMap(), r, stages, nics, d, new MigrationReport.Summary(completed && failure == null,
                sent, lost, StageMeter.ms(endNs), StageMeter.ms(quietNs), failure, MigrationStory.explain(stages)));
    }

    private static Double max(Double[] xs) {
        Double m = null;
        for (Double x : xs) {
            if (x != null) {
                m = m == null ? x : Math.max(m, x);
            }
        }
        return m;
    }
}
