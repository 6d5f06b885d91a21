package org.toyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.toyvm.core.mem.MemoryBackend;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.experiment.BackendChoice;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.experiment.ShapeAxes;
import picocli.CommandLine;

/**
 * matrix's and sweep's machine-shape axes ({@code --memory-backend}, {@code --nics}, {@code --queues}
 * as comma lists) and run's single values: parsing, the errors (one line naming the option), the plan
 * they make (its size bound, its cells, each cell's default backend), and the reports naming an axis
 * only when it was given. Until the machine builds several NICs and queue pairs, RunConfig.check()
 * refuses them (a transitional guard), so those cells are checked as planned, not run.
 */
class ShapeAxesCliTest extends CliHarness {
    /** A quick sweep over {@code sizes} (quick's --memory replaced). */
    private static List<String> quickSweep(String sizes, String... more) {
        List<String> a = quick("sweep", more);
        a.set(a.indexOf("256M"), sizes);
        return a;
    }

    private static MachineAxes axes(String... args) {
        MatrixCommand m = new MatrixCommand();
        new CommandLine(m).parseArgs(args);
        return m.axes;
    }

    private String userError(List<String> args) {
        assertEquals(2, run(args), String.join(" ", args) + ": " + err);
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertEquals("", out.toString(), "nothing ran");
        return e;
    }

    @Test
    void theListsParseAndDefaultToOneNicOnePairAndTheParentsBackend() {
        assertEquals(ShapeAxes.DEFAULT, axes().shapes());
        ShapeAxes s = axes("--memory-backend", "default,hugetlb-1G,memfd", "--nics", "1,2", "--queues", "1,4,16")
                .shapes();
        assertEquals(List.of(BackendChoice.DEFAULT, BackendChoice.of(MemoryBackend.HUGETLB_1G),
                BackendChoice.of(MemoryBackend.MEMFD)), s.backends());
        assertEquals(List.of(1, 2), s.nics());
        assertEquals(List.of(1, 4, 16), s.queuePairs());
        assertEquals(18, s.size());
        assertTrue(s.showsBackend() && s.showsNics() && s.showsQueuePairs());
        ShapeAxes one = axes("--queues", "8").shapes();
        assertTrue(one.showsQueuePairs(), "a non-default single value is named");
        assertFalse(one.showsBackend() || one.showsNics());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--queues|0,1|0 is out of range 1..16",
        "--queues|1,17|17 is out of range 1..16",
        "--queues|1,1|1 appears twice",
        "--queues|1,01|1 appears twice",
        "--queues|1,,2|an empty element",
        "--queues|two|is not a whole number in 1..16",
        "--nics|9|9 is out of range 1..8",
        "--nics|1,-1|-1 is out of range 1..8",
        "--memory-backend|thp,THP|thp appears twice",
        "--memory-backend|thp,hugetlb-4M|unknown memory backend 'hugetlb-4M'",
    })
    void aBadElementIsAOneLineUserErrorNamingTheOptionOnMatrixAndSweep(String option, String value, String why) {
        for (String command : List.of("matrix", "sweep")) {
            String e = userError(quick(command, option, value));
            assertTrue(e.startsWith("toyvm: bad " + option + " '" + value + "': ") && e.contains(why), e);
        }
    }

    @Test
    void anUnknownBackendNamesEveryAcceptedOneAndDefault() {
        String e = userError(quick("matrix", "--memory-backend", "ram"));
        assertTrue(e.contains("anon, thp, hugetlb-2M, hugetlb-1G, memfd or default"), e);
    }

    @Test
    void runTakesOneValueEach() {
        assertTrue(userError(quick("run", "--queues", "17")).contains("bad --queues '17': 17 is out of range 1..16"));
        assertTrue(userError(quick("run", "--nics", "0")).contains("bad --nics '0': 0 is out of range 1..8"));
        assertTrue(userError(quick("run", "--queues", "1,2")).contains("--queues '1,2'"));
        assertTrue(userError(quick("run", "--memory-backend", "thp,memfd")).contains("--memory-backend"));
    }

    @Test
    void thePlanSizeBoundCoversTheShapeAxes() {
        // 54 cells × 2 NICs × 10 queue counts = 1080 runs, above the bound of 1000 per command.
        String e = userError(List.of("matrix", "--nics", "1,2", "--queues", "1,2,3,4,5,6,7,8,9,10"));
        assertTrue(e.contains("the lists given make 1080 runs; at most 1000"), e);
        e = userError(List.of("sweep", "--memory", "1G,2G,4G,8G,16G", "--kernel", "6.1,6.6,6.7,6.8,6.11,6.12",
                "--parent", "mlx5,platform", "--memory-backend", "thp,hugetlb-2M,hugetlb-1G", "--queues", "1,2,4,8"));
        assertTrue(e.contains("the lists given make 1440 runs"), e);
    }

    @Test
    void eachCellGetsItsOwnParentsDefaultBackendAndTheShapesInnermost() {
        RunConfig base = RunConfig.defaults();
        ShapeAxes s = new ShapeAxes(List.of(BackendChoice.DEFAULT, BackendChoice.of(MemoryBackend.HUGETLB_1G)),
                List.of(1, 2), List.of(1, 8));
        List<RunConfig> mlx5 = s.expand(base);
        assertEquals(8, mlx5.size());
        assertEquals(List.of(1, 1, 2, 2, 1, 1, 2, 2), mlx5.stream().map(c -> c.net().nics()).toList());
        assertEquals(List.of(1, 8, 1, 8, 1, 8, 1, 8), mlx5.stream().map(c -> c.net().queuePairs()).toList());
        assertEquals(Optional.of(MemoryBackend.THP), mlx5.get(0).memoryBackend());
        assertEquals(Optional.of(MemoryBackend.HUGETLB_1G), mlx5.get(7).memoryBackend());
        assertEquals(base.net().memlockBytes(), mlx5.get(7).net().memlockBytes(), "--memlock is kept");
        String[][] defaults = {{"6.12", "vdpa-sim", "memfd"}, {"6.6", "vdpa-sim", "memfd"}, {"6.1", "vdpa-sim", "thp"},
            {"6.12", "vdpa-sim,use_va=off", "thp"}, {"6.12", "platform", "thp"}, {"6.1", "mlx5", "thp"}};
        for (String[] d : defaults) {
            RunConfig cell = base.with(KernelVersion.parse(d[0]), ParentSpec.parse(d[1]), base.policy());
            assertEquals(d[2], ShapeAxes.DEFAULT.expand(cell).get(0).memoryBackend().orElseThrow().label(),
                    d[0] + " " + d[1]);
        }
    }

    @Test
    void aMatrixOverBackendsRunsEachAndNamesItsBackendInTextAndJson() {
        assertEquals(0, run(quick("matrix", "--kernel", "6.12", "--parent", "mlx5,vdpa-sim", "--policy", "legacy",
                "--memory-backend", "default,hugetlb-1G")), err.toString());
        List<String> rows = out.toString().lines().toList();
        int col = rows.get(0).indexOf("backend");
        assertTrue(col > 0, rows.get(0));
        assertFalse(rows.get(0).contains("nics") || rows.get(0).contains("queues"), rows.get(0));
        assertEquals(List.of("thp", "hugetlb-1G", "memfd", "hugetlb-1G"), rows.subList(1, 5).stream()
                .map(r -> r.substring(col).split(" ")[0]).toList());
        assertTrue(out.toString().contains("\nmaster/6.12/vdpa-sim/legacy/memfd: QEMU master, legacy:"), out.toString());
        for (String r : rows.subList(1, 5)) {
            assertTrue(r.contains(" yes "), "restored on every backend a QEMU user would pick: " + r);
        }
        assertEquals(0, run(quick("matrix", "--kernel", "6.12", "--parent", "mlx5", "--policy", "legacy",
                "--memory-backend", "anon", "--json", "-")), err.toString());
        assertTrue(out.toString().matches("(?s).*\"memory_backend\"\\s*:\\s*\"anon\".*"), out.toString());
        assertFalse(out.toString().contains("\"nics\"") || out.toString().contains("\"queue_pairs\""), out.toString());
    }

    @Test
    void theDefaultMatrixAndSweepNameNoShape() {
        assertEquals(0, run(quick("matrix", "--kernel", "6.12", "--policy", "persist", "--json", "-")), err.toString());
        assertFalse(out.toString().contains("memory_backend") || out.toString().contains("\"nics\"")
                || out.toString().contains("queue_pairs"), out.toString());
        assertEquals(0, run(quickSweep("256M", "--policy", "persist")), err.toString());
        assertFalse(out.toString().contains("backend") || out.toString().contains("nics")
                || out.toString().contains("queues"), out.toString());
    }

    @Test
    void aSweepOverBackendsNamesEachPoint() {
        assertEquals(0, run(quickSweep("256M,512M", "--policy", "legacy", "--memory-backend",
                "thp,hugetlb-1G")), err.toString());
        List<String> rows = out.toString().lines().toList();
        assertEquals(5, rows.size(), out.toString());
        int col = rows.get(0).indexOf("backend");
        assertEquals(List.of("thp", "hugetlb-1G", "thp", "hugetlb-1G"), rows.subList(1, 5).stream()
                .map(r -> r.substring(col).split(" ")[0]).toList());
    }

    @Test
    void aMatrixOverPairsAndNicsRunsEveryCell() {
        assertEquals(0, run(quick("matrix", "--kernel", "6.12", "--parent", "mlx5", "--policy", "legacy", "--queues",
                "1,4", "--nics", "1,2")), err.toString());
        List<String> rows = out.toString().lines().filter(l -> l.startsWith("master ")).toList();
        assertEquals(4, rows.size(), out.toString());
        assertTrue(rows.stream().allMatch(r -> r.contains(" yes ")), out.toString());
    }
}
