package org.toyvm.cli;

import io.netty.buffer.PooledByteBufAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vm.experiment.Matrix;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.Plots;
import org.toyvm.vm.report.SweepReport;
import org.toyvm.vm.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code toyvm sweep}: downtime and vCPU freeze against guest memory, per policy. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Reboot guests of several sizes under each policy and report how downtime, vCPU freeze,"
                + " IOTLB messages and pinned pages grow with memory. The default --timeout is 600s here.")
public final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LoggingOptions logging;

    @Mixin
    ExperimentOptions opts;

    @Option(names = "--memory", paramLabel = "SIZES", defaultValue = "1G,16G,128G,1T", split = ",",
            converter = Converters.Size.class, description = "Comma-separated guest sizes (default: 1G,16G,128G,1T).")
    List<Long> memory = new ArrayList<>();

    @Option(names = "--policies", paramLabel = "POLICIES", defaultValue = "legacy,persist", split = ",",
            description = "Comma-separated policies (default: legacy,persist).")
    List<String> policies = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE|-", description = "Write the JSON report to FILE, or to stdout with -.")
    String json;

    @Option(names = "--plot", paramLabel = "FILE.svg|FILE.png", description = "Draw downtime against memory per policy.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        if (plot != null) {
            Plots.checkFormat(plot);
        }
        RunConfig cfg = opts.toConfig(memory.get(0), 600_000_000_000L);
        List<ResetPolicy> pols = policies.stream().map(ResetPolicy::parse).toList();
        SweepReport s = Matrix.sweep(cfg, memory, pols, PooledByteBufAllocator.DEFAULT);
        Output.emit(spec.commandLine().getOut(), TextReport.sweep(s), new Json().pretty(s), json);
        if (plot != null) {
            Plots.writeSweep(s, plot);
        }
        return 0;
    }
}
