package org.toyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.stack.MacAddress;
import picocli.CommandLine;

/** {@code --parent} with module options and the matrix's kernel axis. */
class ParentAndKernelAxesTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static MatrixCommand matrix(String... args) {
        MatrixCommand m = new MatrixCommand();
        new CommandLine(m).parseArgs(args);
        return m;
    }

    @Test
    void optionElementsBelongToTheParentBeforeThem() {
        assertEquals("mlx5;vdpa-sim,use_va=off;vdpa-sim", MachineAxes.groupOptions("mlx5,vdpa-sim,use_va=off,vdpa-sim"));
        MatrixCommand m = matrix("--parent", "mlx5,vdpa-sim,use_va=off,batch_mapping=off,vdpa-sim");
        assertEquals(List.of(ParentSpec.parse("mlx5"), ParentSpec.vdpaSim(false, false), ParentSpec.parse("vdpa-sim")),
                m.axes.parents());
    }

    @Test
    void theMatrixRunsTheWholeTimelineByDefaultAndTakesKernelsUnderBothNames() {
        MatrixCommand m = matrix();
        assertEquals(List.of(KernelVersion.values()), m.axes.kernels());
        assertEquals(3, m.axes.parents().size());
        List<RunConfig> plan = m.plan();
        assertEquals(54, plan.size());
        assertEquals(KernelVersion.V6_1, plan.get(0).kernel());
        assertEquals(KernelVersion.V6_12, plan.get(plan.size() - 1).kernel());
        assertEquals(List.of(KernelVersion.V6_1, KernelVersion.V6_12), matrix("--kernels", "6.1,6.12").axes.kernels());
        assertEquals(List.of(KernelVersion.V6_8), matrix("--kernel", "6.8").axes.kernels());
    }

    @Test
    void badParentsAreOneLineUserErrorsNamingTheOption() {
        assertEquals(2, run("run", "--parent", "vdpa-sim,usa_va=off"));
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("usa_va") && e.contains("use_va=on|off") && e.contains("batch_mapping=on|off"), e);
        err.getBuffer().setLength(0);
        assertEquals(2, run("matrix", "--parent", "mlx5,use_va=off"));
        e = err.toString().strip();
        assertTrue(e.contains("--parent") && e.contains("mlx5 takes no options"), e);
        err.getBuffer().setLength(0);
        assertEquals(2, run("matrix", "--parent", "vdpa-sim,use_va=on,vdpa-sim,use_va=on"));
        assertTrue(err.toString().contains("appears twice"), err.toString());
        assertEquals("", out.toString(), "nothing ran");
    }

    @Test
    void aRunOnTheSimulatorWithOptionsNamesThemInItsReport() {
        assertEquals(0, run("run", "--parent", "vdpa-sim,use_va=off,batch_mapping=off", "--kernel", "6.7",
                "--cost-profile", "zero", "--boot-time", "10ms", "--warmup", "50ms", "--settle", "50ms",
                "--memory", "256M"), err.toString());
        assertTrue(out.toString().contains("parent vdpa-sim,use_va=off,batch_mapping=off"), out.toString());
        assertTrue(out.toString().contains("1/1 reboots restored"), out.toString());
    }

    @Test
    void theMachineBuildsTheParentItsSpecNames() {
        String[][] cases = {{"6.12", "vdpa-sim", "SetMap", "true"}, {"6.12", "vdpa-sim,batch_mapping=off", "DmaMap", "true"},
            {"6.12", "vdpa-sim,use_va=off", "SetMap", "false"}, {"6.1", "vdpa-sim,use_va=on", "SetMap", "false"},
            {"6.12", "mlx5", "SetMap", "false"}, {"6.12", "platform", "IommuDomain", "false"}};
        for (String[] c : cases) {
            VirtualScheduler s = new VirtualScheduler();
            InProcessWire wire = new InProcessWire(s, 0);
            Machine m = new Machine(new MachineConfig(256L << 20, KernelVersion.parse(c[0]), ParentSpec.parse(c[1]),
                    ResetPolicy.PERSIST, CostProfile.zero(), MacAddress.parse("52:54:00:12:34:56")), s, wire.endA(),
                    IotlbTraceSink.NONE);
            try {
                String style = m.parent().mappingStyle().fold(d -> "DmaMap", x -> "SetMap", i -> "IommuDomain");
                assertEquals(c[2], style, c[0] + " " + c[1]);
                assertEquals(Boolean.parseBoolean(c[3]), m.parent().usesVa(), c[0] + " " + c[1]);
            } finally {
                m.close();
                wire.endA().close();
                wire.endB().close();
            }
        }
    }

    @Test
    void theShippedSimulatorPinsNothingFrom63AndEverythingOn61() {
        MatrixCommand m = matrix("--kernels", "6.1,6.12", "--parent", "vdpa-sim,vdpa-sim,use_va=off", "--policy",
                "legacy", "--memory", "256M", "--cost-profile", "zero", "--boot-time", "10ms", "--warmup", "50ms",
                "--settle", "50ms");
        org.toyvm.vm.report.MatrixReport r = org.toyvm.vm.experiment.Matrix.matrix(m.plan(),
                io.netty.buffer.PooledByteBufAllocator.DEFAULT);
        assertEquals(4, r.cells().size());
        // The table's parent column fits the longest label: every row's policy starts where the header's does.
        List<String> rows = org.toyvm.vm.report.TextReport.matrix(r).lines().limit(5).toList();
        int col = rows.get(0).indexOf("policy");
        for (String row : rows.subList(1, 5)) {
            assertEquals("legacy", row.substring(col, col + 6), row);
        }
        for (org.toyvm.vm.report.MatrixReport.Cell c : r.cells()) {
            String where = c.kernel() + "/" + c.parent() + ": " + c.explanation();
            assertTrue(c.restored(), where);
            boolean va = c.kernel().equals("6.12") && c.parent().equals("vdpa-sim");
            // VA mode (use_va=1, 6.3+): vhost_vdpa_va_map pins nothing; PA mode pins all 256 MiB again.
            assertEquals(va, c.pagesPinnedDuringReboot() == 0, where);
            assertTrue(va || c.pagesPinnedDuringReboot() >= 65536, where);
        }
    }
}
