package org.toyvm.cli;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.Callable;
import org.toyvm.vm.experiment.Matrix;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.experiment.ShapeAxes;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.Plots;
import org.toyvm.vm.report.SweepReport;
import org.toyvm.vm.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code toyvm sweep}: downtime and vCPU freeze against guest memory, per kernel × parent × policy ×
 * memory backend × NICs × queue pairs.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = SweepCommand.Defaults.class,
        description = "Reboot guests of several sizes under each kernel × parent × policy × memory backend × NICs"
                + " × queue pairs given and report how"
                + " downtime, vCPU freeze, IOTLB messages and pinned pages grow with memory. The default --timeout"
                + " is 600s here.")
public final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--memory", paramLabel = "SIZES", defaultValue = "1G,16G,128G,1T",
            description = "Guest sizes (comma list), each 64M..4194303G; with the platform parent at most 262143G"
                    + " (default: ${DEFAULT-VALUE}).")
    String memory;

    @Mixin
    MachineAxes axes;

    @Mixin
    QemuOptions.One qemu;

    @Mixin
    GuestOptions guest;

    @Mixin
    ReportOptions report;

    @Mixin
    PlotOptions plot;

    @Mixin
    LoggingOptions logging;

    /** sweep's axes default to the question it answers: legacy against persist on 6.12 (the newest) and mlx5. */
    static final class Defaults extends MachineAxes.Defaults {
        Defaults() {
            super("6.12", "mlx5", "legacy,persist");
        }
    }

    List<RunConfig> plan() {
        List<Long> sizes = MachineAxes.list("--memory", memory, s -> Bounds.memory("--memory", s));
        RunConfig base = Experiments.base(sizes.get(0), guest, 600_000_000_000L).withQemu(qemu.qemu);
        ShapeAxes shapes = axes.shapes();
        Experiments.checkPlanSize((long) sizes.size() * axes.kernels().size() * axes.parents().size()
                * axes.policies().size() * shapes.size());
        List<RunConfig> plan = GuestOptions.user(() -> Matrix.sweepPlan(base, sizes, axes.kernels(), axes.parents(),
                axes.policies(), shapes));
        report.check();
        plot.check();
        return plan;
    }

    @Override
    public Integer call() throws Exception {
        logging.apply();
        List<RunConfig> plan = plan();
        SweepReport s = Matrix.sweep(plan, axes.shapes(), PooledByteBufAllocator.DEFAULT);
        report.emit(spec.commandLine().getOut(), TextReport.sweep(s), new Json().pretty(s));
        plot.write(f -> Plots.writeSweep(s, f));
        checkNoFailure(s);
        return 0;
    }

    /** A point that failed inside its run makes the command fail (exit 1), after the report. */
    static void checkNoFailure(SweepReport s) throws RunFailure {
        Experiments.checkNoFailure(s.failed(), s.points().size(), "points", p -> p.name() + ": " + p.failure());
    }
}
