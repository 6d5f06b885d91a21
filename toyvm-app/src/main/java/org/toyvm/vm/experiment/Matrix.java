package org.toyvm.vm.experiment;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.report.MatrixReport;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.SweepReport;

/**
 * The compatibility matrix (kernel × parent × policy) and the memory sweep (size × kernel × parent ×
 * policy), each cell a real run of one reboot. The plan of a command (every configuration it will
 * run) is built and checked before the first run starts, so that a bad cell is refused up front
 * rather than after an hour of others.
 */
public final class Matrix {
    private Matrix() {
    }

    /** Every kernel × parent × policy over {@code base}, one reboot each, each configuration checked. */
    public static List<RunConfig> matrixPlan(RunConfig base, List<KernelVersion> kernels, List<ParentSpec> parents,
            List<ResetPolicy> policies) {
        return plan(base, kernels, parents, policies, List::of);
    }

    /** Every QEMU × kernel × parent × policy over {@code base} (QEMU outermost), one reboot each, each checked. */
    public static List<RunConfig> matrixPlan(RunConfig base, List<QemuVersion> qemus, List<KernelVersion> kernels,
            List<ParentSpec> parents, List<ResetPolicy> policies) {
        return each(qemus, base::withQemu, kernels, parents, policies, List::of);
    }

    /**
     * Every QEMU × kernel × parent × policy × backend × NICs × queue pairs over {@code base} (QEMU
     * outermost, queue pairs innermost), one reboot each, each checked; each cell's default backend is
     * its own parent's ({@link ShapeAxes#expand}).
     */
    public static List<RunConfig> matrixPlan(RunConfig base, List<QemuVersion> qemus, List<KernelVersion> kernels,
            List<ParentSpec> parents, List<ResetPolicy> policies, ShapeAxes shapes) {
        return each(qemus, base::withQemu, kernels, parents, policies, shapes::expand);
    }

    /** Every size × kernel × parent × policy over {@code base}, one reboot each, each configuration checked. */
    public static List<RunConfig> sweepPlan(RunConfig base, List<Long> sizes, List<KernelVersion> kernels,
            List<ParentSpec> parents, List<ResetPolicy> policies) {
        return each(sizes, base::withMemory, kernels, parents, policies, List::of);
    }

    /** As {@link #sweepPlan(RunConfig, List, List, List, List)}, each point once per backend × NICs × queue pairs. */
    public static List<RunConfig> sweepPlan(RunConfig base, List<Long> sizes, List<KernelVersion> kernels,
            List<ParentSpec> parents, List<ResetPolicy> policies, ShapeAxes shapes) {
        return each(sizes, base::withMemory, kernels, parents, policies, shapes::expand);
    }

    /**
     * The unchecked cells of a plan: kernel × parent × policy, each expanded by {@code shapes} (its backend
     * resolved for its parent), one reboot each, in plan order. {@link #matrixPlan} checks each of them.
     */
    static List<RunConfig> cells(RunConfig base, List<KernelVersion> kernels, List<ParentSpec> parents,
            List<ResetPolicy> policies, Function<RunConfig, List<RunConfig>> shapes) {
        List<RunConfig> plan = new ArrayList<>();
        for (KernelVersion k : kernels) {
            for (ParentSpec p : parents) {
                for (ResetPolicy pol : policies) {
                    for (RunConfig c : shapes.apply(base.with(k, p, pol))) {
                        plan.add(c.withReboots(1));
                    }
                }
            }
        }
        return plan;
    }

    /** {@link #plan} over {@code base} set to each value of an outer axis (QEMU, memory size), in its order. */
    private static <T> List<RunConfig> each(List<T> outer, Function<T, RunConfig> baseAt, List<KernelVersion> kernels,
            List<ParentSpec> parents, List<ResetPolicy> policies, Function<RunConfig, List<RunConfig>> shapes) {
        List<RunConfig> plan = new ArrayList<>();
        for (T value : outer) {
            plan.addAll(plan(baseAt.apply(value), kernels, parents, policies, shapes));
        }
        return plan;
    }

    private static List<RunConfig> plan(RunConfig base, List<KernelVersion> kernels, List<ParentSpec> parents,
            List<ResetPolicy> policies, Function<RunConfig, List<RunConfig>> shapes) {
        List<RunConfig> plan = cells(base, kernels, parents, policies, shapes);
        plan.forEach(Matrix::checked);
        return plan;
    }

    private static RunConfig checked(RunConfig c) {
        c.check();
        return c;
    }

    /**
     * The kernel axis's default: every generation the model knows (6.1, 6.6, 6.7, 6.8, 6.11, 6.12), so
     * that the matrix shows each change of the timeline; with the three parents and three policies that
     * is 54 cells.
     */
    public static List<KernelVersion> defaultKernels() {
        return Arrays.asList(KernelVersion.values());
    }

    /** Every parent kind as its module ships. */
    public static List<ParentSpec> shippedParents() {
        return Arrays.stream(ParentKind.values()).map(ParentSpec::shipped).toList();
    }

    /** Every kernel × parent (as shipped) × policy: the contract of docs/DESIGN.md §5 over the whole timeline. */
    public static MatrixReport matrix(RunConfig base, ByteBufAllocator alloc) {
        return matrix(matrixPlan(base, defaultKernels(), shippedParents(), Arrays.asList(ResetPolicy.values())),
                alloc);
    }

    /** Runs a plan of {@link #matrixPlan}: one reboot per cell; the outcome of each cell comes from running it. */
    public static MatrixReport matrix(List<RunConfig> plan, ByteBufAllocator alloc) {
        return matrix(plan, ShapeAxes.DEFAULT, alloc);
    }

    /** As {@link #matrix(List, ByteBufAllocator)}, each cell naming the axes of {@code shapes} that were given. */
    public static MatrixReport matrix(List<RunConfig> plan, ShapeAxes shapes, ByteBufAllocator alloc) {
        List<MatrixReport.Cell> cells = new ArrayList<>();
        for (RunConfig c : plan) {
            RebootExperiment.Outcome o = new RebootExperiment(c, IotlbTraceSink.NONE, alloc).run();
            RebootResult r = o.report().reboots().isEmpty() ? null : o.report().reboots().get(0);
            String failure = o.report().summary().failure();
            String why = r == null ? failure : r.explanation();
            if (r == null && failure != null && !failure.startsWith("internal error")) {
                // A first boot that never connected is the cell's finding, not a failure inside the run:
                // e.g. naive on QEMU 10.1+, whose mapping made at SET_OWNER the kernel dropped at the guest's
                // probe reset while the VMM kept believing in it. Only an internal error fails the command.
                why = "QEMU " + c.qemu() + ", " + c.policy() + ": the first boot never connected, no reboot measured: "
                        + failure;
                failure = null;
            }
            cells.add(new MatrixReport.Cell(c.kernel().label(), c.parent().label(), c.policy().label(),
                    o.persistOffered(), o.persistAcked(), r != null && r.restored(), r == null ? null : r.downtimeMs(),
                    r == null ? 0 : r.iotlbMessages(), r == null ? 0 : r.pagesPinned(), r == null ? 0 : r.dmaFaults(),
                    why, failure, c.qemu().label(), backendNamed(c, shapes), nicsNamed(c, shapes),
                    queuePairsNamed(c, shapes), r == null ? null : r.queuePairsRestoredMs(),
                    r == null ? null : r.nics()));
        }
        return new MatrixReport(cells);
    }

    /** Each memory size × policy on {@code base}'s kernel and parent. */
    public static SweepReport sweep(RunConfig base, List<Long> sizes, List<ResetPolicy> policies,
            ByteBufAllocator alloc) {
        return sweep(sweepPlan(base, sizes, List.of(base.kernel()), List.of(base.parent()), policies), alloc);
    }

    /** Runs a plan of {@link #sweepPlan}: one reboot per point, with the wall time the run took. */
    public static SweepReport sweep(List<RunConfig> plan, ByteBufAllocator alloc) {
        return sweep(plan, ShapeAxes.DEFAULT, alloc);
    }

    /** As {@link #sweep(List, ByteBufAllocator)}, each point naming the axes of {@code shapes} that were given. */
    public static SweepReport sweep(List<RunConfig> plan, ShapeAxes shapes, ByteBufAllocator alloc) {
        List<SweepReport.Point> points = new ArrayList<>();
        for (RunConfig c : plan) {
            long t0 = System.nanoTime();
            RebootExperiment.Outcome o = new RebootExperiment(c, IotlbTraceSink.NONE, alloc).run();
            double wallMs = (System.nanoTime() - t0) / 1e6;
            RebootResult r = o.report().reboots().isEmpty() ? null : o.report().reboots().get(0);
            points.add(new SweepReport.Point(c.memoryBytes(), c.kernel().label(), c.parent().label(),
                    c.policy().label(), r == null ? null : r.downtimeMs(), r == null ? 0 : r.vcpuFreezeMs(),
                    r == null ? 0 : r.iotlbMessages(), r == null ? 0 : r.pagesPinned(), r != null && r.restored(),
                    wallMs, o.report().summary().failure(), c.qemu().label(), backendNamed(c, shapes),
                    nicsNamed(c, shapes), queuePairsNamed(c, shapes), r == null ? null : r.queuePairsRestoredMs(),
                    r == null ? null : r.nics()));
        }
        return new SweepReport(points);
    }

    private static String backendNamed(RunConfig c, ShapeAxes shapes) {
        return shapes.showsBackend() ? c.memoryBackend().map(b -> b.label()).orElse(null) : null;
    }

    private static Integer nicsNamed(RunConfig c, ShapeAxes shapes) {
        return shapes.showsNics() ? c.net().nics() : null;
    }

    private static Integer queuePairsNamed(RunConfig c, ShapeAxes shapes) {
        return shapes.showsQueuePairs() ? c.net().queuePairs() : null;
    }
}
