package org.toyvm.cli;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.Callable;
import org.toyvm.vm.experiment.Matrix;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.MatrixReport;
import org.toyvm.vm.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code toyvm matrix}: every kernel × parent × policy, one reboot each. */
@Command(name = "matrix", mixinStandardHelpOptions = true,
        description = "Run one reboot for every kernel (6.6, 6.7) × parent (platform, mlx5, vdpa-sim) × policy"
                + " (legacy, persist, naive) and report which keep connectivity and why.")
public final class MatrixCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LoggingOptions logging;

    @Mixin
    ExperimentOptions opts;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "8G", converter = Converters.Size.class,
            description = "Guest memory (default: 8G).")
    long memory;

    @Option(names = "--json", paramLabel = "FILE|-", description = "Write the JSON report to FILE, or to stdout with -.")
    String json;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        RunConfig cfg = opts.toConfig(memory, 60_000_000_000L);
        MatrixReport m = Matrix.matrix(cfg, PooledByteBufAllocator.DEFAULT);
        Output.emit(spec.commandLine().getOut(), TextReport.matrix(m), new Json().pretty(m), json);
        return 0;
    }
}
