package org.toyvm.cli;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.Callable;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.vm.experiment.ClockMode;
import org.toyvm.vm.experiment.LiveRun;
import org.toyvm.vm.experiment.RebootExperiment;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.report.IotlbTraceFile;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.Plots;
import org.toyvm.vm.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code toyvm run}: boot the toy VM, reboot it, and report what happened to connectivity. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Boot the toy VM, let traffic flow, reboot the guest and report what happened to"
                + " connectivity across each reboot, and why.")
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    MachineChoice machine;

    @Mixin
    QemuOptions.One qemu;

    @Mixin
    MachineShape shape;

    @Mixin
    LiveOptions live;

    @Mixin
    GuestOptions guest;

    @Mixin
    ReportOptions report;

    @Mixin
    PlotOptions plot;

    @Mixin
    LoggingOptions logging;

    /** Every option resolved and checked, before anything runs or any file is opened for the run. */
    RunConfig config() {
        GuestOptions.Resolved g = guest.resolve(60_000_000_000L);
        live.check();
        refuseUnused();
        RunConfig cfg = shape.apply(g.config(machine.memoryBytes(), machine.kernel(), machine.parent(), machine.policy,
                (int) live.reboots, live.clockMode(), live.netdev, live.durationNs).withQemu(qemu.qemu));
        GuestOptions.user(() -> {
            cfg.check();
            return null;
        });
        report.check();
        plot.check();
        return cfg;
    }

    /** Within run, --duration is for --reboots 0 only, and --warmup/--settle for reboots only. */
    private void refuseUnused() {
        picocli.CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        if (pr == null) {
            return;
        }
        if (live.reboots > 0 && pr.hasMatchedOption("--duration")) {
            throw new UsageException("bad --duration with --reboots " + live.reboots + ": --duration is the run time of"
                    + " --reboots 0; a run with reboots ends when the last one has settled");
        }
        for (String o : new String[] {"--warmup", "--settle"}) {
            if (live.reboots == 0 && pr.hasMatchedOption(o)) {
                throw new UsageException("bad " + o + " with --reboots 0: it applies around reboots; a run without"
                        + " reboots lasts --duration");
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        logging.apply();
        RunConfig cfg = config();
        cfg.memoryBackendWarning().ifPresent(w -> spec.commandLine().getErr().println("toyvm: warning: " + w));
        RebootExperiment.Outcome outcome;
        String traceFailure = null;
        IotlbTraceFile trace = live.traceIotlb == null ? null : openTrace();
        try {
            IotlbTraceSink sink = trace == null ? IotlbTraceSink.NONE : trace;
            if (cfg.clock() == ClockMode.REAL) {
                outcome = new LiveRun(cfg, sink, spec.commandLine().getErr()).run();
            } else {
                outcome = new RebootExperiment(cfg, sink, PooledByteBufAllocator.DEFAULT, RebootExperiment.Inspector.NONE,
                        spec.commandLine().getErr()).run();
            }
        } finally {
            if (trace != null) {
                trace.close();
                traceFailure = trace.failure();
            }
        }
        report.emit(spec.commandLine().getOut(), TextReport.run(outcome.report()), new Json().pretty(outcome.report()));
        plot.write(f -> Plots.writeTimeline(outcome.timeline(), f, "toyvm run: " + cfg.memoryBytes() / (1L << 20)
                + " MiB, QEMU " + cfg.qemu() + ", kernel " + cfg.kernel() + ", " + cfg.parent() + ", " + cfg.policy()));
        if (traceFailure != null) {
            throw new RunFailure(traceFailure);
        }
        String failure = outcome.report().summary().failure();
        if (failure != null) {
            throw new RunFailure("the run failed: " + failure);
        }
        return 0;
    }

    private IotlbTraceFile openTrace() {
        try {
            return new IotlbTraceFile(live.traceIotlb);
        } catch (java.io.IOException e) {
            throw new UsageException("bad --trace-iotlb '" + live.traceIotlb + "': cannot write: " + OutputFile.reason(e));
        }
    }
}
