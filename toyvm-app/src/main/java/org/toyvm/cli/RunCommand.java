package org.toyvm.cli;

import io.netty.buffer.PooledByteBufAllocator;
import java.nio.file.Path;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code toyvm run}: boot the toy VM, reboot it, and report what happened to connectivity. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Boot the toy VM, let traffic flow, reboot the guest and report what happened to"
                + " connectivity across each reboot, and why.")
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LoggingOptions logging;

    @Mixin
    ExperimentOptions opts;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "8G", converter = Converters.Size.class,
            description = "Guest memory, K/M/G/T suffixes (default: 8G).")
    long memory;

    @Option(names = "--json", paramLabel = "FILE|-", description = "Write the JSON report to FILE, or to stdout with -.")
    String json;

    @Option(names = "--plot", paramLabel = "FILE.svg|FILE.png", description = "Draw the connectivity timeline.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        RunConfig cfg = opts.toConfig(memory, 60_000_000_000L);
        cfg.requireRepresentable();
        if (plot != null) {
            Plots.checkFormat(plot);
        }
        RebootExperiment.Outcome outcome;
        try (IotlbTraceFile trace = opts.traceIotlb == null ? null : new IotlbTraceFile(opts.traceIotlb)) {
            IotlbTraceSink sink = trace == null ? IotlbTraceSink.NONE : trace;
            if (cfg.clock() == ClockMode.REAL) {
                outcome = new LiveRun(cfg, sink, spec.commandLine().getErr()).run();
            } else {
                outcome = new RebootExperiment(cfg, sink, PooledByteBufAllocator.DEFAULT, RebootExperiment.Inspector.NONE,
                        spec.commandLine().getErr()).run();
            }
        }
        Output.emit(spec.commandLine().getOut(), TextReport.run(outcome.report()), new Json().pretty(outcome.report()),
                json);
        if (plot != null) {
            Plots.writeTimeline(outcome.timeline(), plot, "toyvm run: " + cfg.memoryBytes() / (1L << 20) + " MiB, kernel "
                    + cfg.kernel() + ", " + cfg.parent() + ", " + cfg.policy());
        }
        return outcome.report().summary().failure() == null ? 0 : Main.EXIT_FAILURE;
    }
}
