package org.toyvm.vm.experiment;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.kernel.KernelVersion;
import org.toyvm.vdpa.parent.ParentKind;
import org.toyvm.vm.report.MatrixReport;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.SweepReport;

/** The compatibility matrix (every kernel × parent × policy) and the memory sweep, each cell a real run. */
public final class Matrix {
    private Matrix() {
    }

    /** One reboot per cell; the outcome of each cell comes from running it. */
    public static MatrixReport matrix(RunConfig base, ByteBufAllocator alloc) {
        List<MatrixReport.Cell> cells = new ArrayList<>();
        for (KernelVersion k : KernelVersion.values()) {
            for (ParentKind p : ParentKind.values()) {
                for (ResetPolicy pol : ResetPolicy.values()) {
                    RebootExperiment.Outcome o = new RebootExperiment(base.with(k, p, pol).withReboots(1),
                            IotlbTraceSink.NONE, alloc).run();
                    RebootResult r = o.report().reboots().isEmpty() ? null : o.report().reboots().get(0);
                    cells.add(new MatrixReport.Cell(k.label(), p.label(), pol.label(), o.persistOffered(),
                            o.persistAcked(), r != null && r.restored(), r == null ? null : r.downtimeMs(),
                            r == null ? 0 : r.iotlbMessages(), r == null ? 0 : r.pagesPinned(),
                            r == null ? 0 : r.dmaFaults(), r == null ? o.report().summary().failure() : r.explanation()));
                }
            }
        }
        return new MatrixReport(cells);
    }

    /** Each memory size × policy: one reboot, with the wall time the run took. */
    public static SweepReport sweep(RunConfig base, List<Long> sizes, List<ResetPolicy> policies,
            ByteBufAllocator alloc) {
        List<SweepReport.Point> points = new ArrayList<>();
        for (long size : sizes) {
            for (ResetPolicy pol : policies) {
                long t0 = System.nanoTime();
                RebootExperiment.Outcome o = new RebootExperiment(base.withMemory(size, pol).withReboots(1),
                        IotlbTraceSink.NONE, alloc).run();
                double wallMs = (System.nanoTime() - t0) / 1e6;
                RebootResult r = o.report().reboots().isEmpty() ? null : o.report().reboots().get(0);
                points.add(new SweepReport.Point(size, pol.label(), r == null ? null : r.downtimeMs(),
                        r == null ? 0 : r.vcpuFreezeMs(), r == null ? 0 : r.iotlbMessages(),
                        r == null ? 0 : r.pagesPinned(), r != null && r.restored(), wallMs));
            }
        }
        return new SweepReport(points);
    }
}
