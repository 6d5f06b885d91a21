package org.toyvm.cli;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.Callable;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.vm.experiment.Matrix;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.experiment.ShapeAxes;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.MatrixReport;
import org.toyvm.vm.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code toyvm matrix}: QEMU × kernel × parent × policy (default: every kernel, parent and policy) ×
 * memory backend × NICs × queue pairs (default: one each), one reboot each.
 */
@Command(name = "matrix", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = MatrixCommand.Defaults.class,
        description = "Run one reboot for every kernel × parent × policy of the lists given (default: the six"
                + " kernel generations × three parents as shipped × three policies, 54 combinations), and for each"
                + " memory backend × NICs × queue pairs given (default: the parent's backend, one NIC, one pair), and"
                + " report which keep connectivity and why.")
public final class MatrixCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GuestMemory memory;

    @Mixin
    MachineAxes axes;

    @Mixin
    QemuOptions.Axis qemus;

    @Mixin
    GuestOptions guest;

    @Mixin
    ReportOptions report;

    @Mixin
    LoggingOptions logging;

    /** matrix's axes default to every value. */
    static final class Defaults extends MachineAxes.Defaults {
        Defaults() {
            super("6.1,6.6,6.7,6.8,6.11,6.12", "platform,mlx5,vdpa-sim", "legacy,persist,naive");
        }
    }

    List<RunConfig> plan() {
        RunConfig base = Experiments.base(memory.bytes(), guest, 60_000_000_000L);
        ShapeAxes shapes = axes.shapes();
        Experiments.checkPlanSize((long) qemus.list().size() * axes.kernels().size() * axes.parents().size()
                * axes.policies().size() * shapes.size());
        List<RunConfig> plan = GuestOptions.user(() -> Matrix.matrixPlan(base, qemus.list(), axes.kernels(),
                axes.parents(), axes.policies(), shapes));
        report.check();
        return plan;
    }

    @Override
    public Integer call() throws Exception {
        logging.apply();
        List<RunConfig> plan = plan();
        MatrixReport m = Matrix.matrix(plan, axes.shapes(), PooledByteBufAllocator.DEFAULT);
        report.emit(spec.commandLine().getOut(), TextReport.matrix(m), new Json().pretty(m));
        checkNoFailure(m);
        return 0;
    }

    /** A cell that failed inside its run makes the command fail (exit 1), after the report. */
    static void checkNoFailure(MatrixReport m) throws RunFailure {
        Experiments.checkNoFailure(m.failed(), m.cells().size(), "cells",
                c -> c.kernel() + "/" + c.parent() + "/" + c.policy() + (c.qemu().equals(QemuVersion.newest().label())
                        ? "" : " on QEMU " + c.qemu()) + c.shape() + ": " + c.failure());
    }
}
