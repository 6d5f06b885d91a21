package org.toyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.toyvm.vm.report.MatrixReport;
import org.toyvm.vm.report.SweepReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Every user error is one line on stderr naming the option, the value and what is accepted, exit 2,
 * found before anything runs (stdout stays empty); a failure after the run began is one line, exit
 * 1, after the report; an internal error is exit 1, never 0.
 */
class CliErrorsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    /** A quick virtual run: small guest, no modelled costs, short boot and windows. */
    private static final String[] QUICK = {"--cost-profile", "zero", "--boot-time", "10ms", "--warmup", "50ms",
        "--settle", "50ms"};

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static String[] quick(String command, String... more) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(command));
        a.addAll(java.util.List.of(QUICK));
        if (!java.util.List.of(more).contains("--memory")) {
            a.addAll(java.util.List.of("--memory", "256M"));
        }
        a.addAll(java.util.List.of(more));
        return a.toArray(String[]::new);
    }

    /** Runs, expects a user error: exit 2, nothing on stdout, one stderr line containing each part. */
    private String userError(String[] args, String... parts) {
        int rc = run(args);
        String e = err.toString().strip();
        assertEquals(2, rc, String.join(" ", args) + " -> " + e);
        assertEquals("", out.toString(), "nothing ran, nothing reported");
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("toyvm: "), e);
        for (String p : parts) {
            assertTrue(e.contains(p), "'" + p + "' in: " + e);
        }
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return e;
    }

    private String userError(String args, String... parts) {
        return userError(args.split(" "), parts);
    }

    // --- 1. ranges: simulated time, sizes, counts ---

    @Test
    void durationsNearLongMaxAndUselessIntervalsAreOutOfRange() {
        userError("run --boot-time 9223372036s", "--boot-time", "9223372036s", "0s..600s");
        userError("run --timeout 9223372036s", "--timeout", "9223372036s", "1ms..86400s");
        userError("run --ping-interval 1ns", "--ping-interval", "1ns", "100us..10s");
        userError("run --ping-interval 11s", "--ping-interval", "11s", "100us..10s");
        userError("run --warmup 3601s", "--warmup", "3601s", "0s..3600s");
        userError("run --settle 2h", "--settle", "2h");
        userError("run --duration 0s --reboots 0", "--duration", "0ns", "1ms..86400s");
        userError("run --duration 86401s --reboots 0", "--duration", "86401s", "1ms..86400s");
        userError("matrix --timeout 9223372036s", "--timeout", "1ms..86400s");
        userError("sweep --boot-time 9223372036s", "--boot-time", "0s..600s");
        userError("bench --time 1h", "--time");
        userError("bench --time 1ns", "--time", "1ns", "10ms..60s");
    }

    @Test
    void countsAreInRange() {
        userError("run --reboots 10001", "--reboots", "10001", "0..10000");
        userError("run --reboots -1", "--reboots", "-1", "0..10000");
        userError("run --reboots 99999999999999999999", "--reboots", "99999999999999999999");
    }

    @Test
    void sizesBeyondWhatThePcMachineAddressesAreRefused() {
        userError("run --memory 64P", "--memory", "64P", "52-bit", "64M..4194303G");
        userError("run --memory 4194304G", "--memory", "4194304G", "52-bit");
        userError("run --memory 1M", "--memory", "1M", "64M..4194303G");
        userError("run --memory 100000001", "--memory", "4K pages");
        userError("run --memory 8X", "--memory", "8X");
        userError("sweep --memory 1G,64P", "--memory", "64P", "52-bit");
        userError("matrix --memory 99999999999T", "--memory", "99999999999T");
    }

    @Test
    void costProfileValuesOutOfRangeNameFileLineAndKey() throws Exception {
        Path p = dir.resolve("huge.profile");
        Files.writeString(p, "# a profile\nbase = default\nsuspend = 9223372036s\n");
        userError(new String[] {"run", "--cost-profile", p.toString()}, p + ":3", "suspend", "9223372036s", "0ns..60s");
        Files.writeString(p, "pin_per_page = 1s\n");
        userError(new String[] {"sweep", "--cost-profile", p.toString()}, p + ":1", "pin_per_page", "0ns..100us");
        userError(new String[] {"matrix", "--cost-profile", dir.resolve("missing").toString()}, "--cost-profile",
                "missing");
    }

    @Test
    void helpShowsTheRanges() {
        assertEquals(0, run("run", "--help"));
        String h = out.toString();
        for (String r : new String[] {"100us..10s", "0s..600s", "1ms..86400s", "0..10000", "64M..4194303G", "262143G",
            "0s..3600s", "/1../31"}) {
            assertTrue(h.contains(r), r + " in run --help");
        }
        out.getBuffer().setLength(0);
        assertEquals(0, run("matrix", "--help"));
        // The default kernel list is the whole timeline (the line wraps before it).
        assertTrue(out.toString().contains("6.1,6.6,6.7,6.8,6.11,6.12)."), out.toString());
        assertTrue(out.toString().contains("--kernel, --kernels"), out.toString());
        assertTrue(out.toString().contains("(default: legacy,persist,naive)"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("sweep", "--help"));
        assertTrue(out.toString().contains("(default: legacy,persist)"), out.toString());
        assertFalse(out.toString().contains("--clock") || out.toString().contains("--reboots"), out.toString());
    }

    // --- 2. the platform parent's IOVA aperture ---

    @Test
    void platformParentRefusesRamAboveItsAperture() {
        userError("run --memory 256T --parent platform", "--memory 256T", "--parent platform",
                "0x0..0xffffffffffff", "RAM section out of device range", "262143G");
        userError("matrix --memory 256T", "--memory 256T", "--parent platform", "0x0..0xffffffffffff");
        // hugetlb-1G: on the default backend (thp) mlx5's 300T cell would be refused first, for its IOTLB entries.
        userError("sweep --memory 1G,300T --parent mlx5,platform --memory-backend hugetlb-1G", "--memory 300T",
                "--parent platform");
        // The largest guest that fits is accepted by the check (matrix without platform is fine at 256T).
        assertEquals(0, run(quick("sweep", "--memory", "1G", "--parent", "platform", "--policy", "persist")), err.toString());
    }

    // --- 3. paths, sockets, failures during and after the run ---

    @Test
    void emptyListsAndUnwritablePathsAreUserErrorsBeforeTheRun() throws Exception {
        userError("sweep --memory ,", "--memory", "','", "empty");
        userError("sweep --memory 1G,,2G", "--memory", "empty");
        userError("matrix --policy legacy,legacy", "--policy", "twice");
        userError("matrix --kernel 6.5", "--kernel", "6.5", "6.6");
        userError("run --plot /", "--plot", "'/'", ".svg or .png");
        userError("run --plot x.jpg", "--plot", ".svg or .png");
        userError("run --json /nonexistent-dir/r.json", "--json", "/nonexistent-dir/r.json", "no such file");
        userError("sweep --plot /nonexistent-dir/s.svg", "--plot", "/nonexistent-dir/s.svg");
        userError("run --trace-iotlb /nonexistent-dir/t.jsonl", "--trace-iotlb", "/nonexistent-dir/t.jsonl");
        userError(new String[] {"run", "--json", dir.toString()}, "--json", "is a directory");
        Path file = dir.resolve("plain");
        Files.writeString(file, "x");
        userError(new String[] {"matrix", "--json", file.resolve("r.json").toString()}, "--json", "r.json");
        assertEquals("x", Files.readString(file));
    }

    @Test
    void theWritabilityCheckLeavesNoFileBehind() {
        Path json = dir.resolve("r.json");
        userError(new String[] {"run", "--json", json.toString(), "--reboots", "-1"}, "--reboots");
        assertFalse(Files.exists(json));
    }

    @Test
    void aSocketThatCannotBindNamesTheAddressAndTheReason() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + taken.getLocalPort();
            userError(new String[] {"run", "--clock", "real", "--netdev", "dgram,local=" + at + ",remote=127.0.0.1:9"},
                    "--netdev", at, "in use");
        }
    }

    @Test
    void aTraceFileThatFillsUpMidRunKeepsTheReportAndIsOneLineExitOne() {
        assumeTrue(Files.isWritable(Path.of("/dev/full")), "/dev/full (ENOSPC on every write) is needed");
        int rc = run(quick("run", "--policy", "legacy", "--memory", "16G", "--trace-iotlb", "/dev/full"));
        String e = err.toString().strip();
        assertEquals(1, rc, e);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("--trace-iotlb /dev/full") && e.contains("No space left on device"), e);
        assertTrue(out.toString().contains("summary: 1/1 reboots restored"), "the report is printed: " + out);
    }

    @Test
    void aJsonFileThatCannotBeWrittenAfterTheRunIsOneLineExitOne() {
        assumeTrue(Files.isWritable(Path.of("/dev/full")), "/dev/full (ENOSPC on every write) is needed");
        int rc = run(quick("run", "--json", "/dev/full"));
        String e = err.toString().strip();
        assertEquals(1, rc, e);
        assertEquals("toyvm: --json /dev/full: write failed: No space left on device", e);
        assertTrue(out.toString().contains("summary:"), out.toString());
    }

    @Test
    void aCellOrPointThatFailedInsideItsRunFailsTheCommand() throws Exception {
        MatrixCommand.checkNoFailure(new MatrixReport(java.util.List.of(cell(null), cell(null))));
        RunFailure f = org.junit.jupiter.api.Assertions.assertThrows(RunFailure.class,
                () -> MatrixCommand.checkNoFailure(new MatrixReport(java.util.List.of(cell(null), cell("internal error: x")))));
        assertEquals("1 of 2 cells failed inside the run; first 6.7/mlx5/persist: internal error: x", f.getMessage());
        SweepReport.Point ok = new SweepReport.Point(1L << 30, "6.7", "mlx5", "legacy", 1.0, 1, 0, 0, true, 1, null);
        SweepReport.Point bad = new SweepReport.Point(1L << 40, "6.7", "mlx5", "legacy", null, 0, 0, 0, false, 1, "boom");
        SweepCommand.checkNoFailure(new SweepReport(java.util.List.of(ok)));
        f = org.junit.jupiter.api.Assertions.assertThrows(RunFailure.class,
                () -> SweepCommand.checkNoFailure(new SweepReport(java.util.List.of(ok, bad))));
        assertEquals("1 of 2 points failed inside the run; first 1T/6.7/mlx5/legacy: boom", f.getMessage());
        // And the exit code of a RunFailure is 1, one line, through Main's handler.
        assertEquals(1, runWith(new Failing(), "failing"));
        assertEquals("toyvm: 1 of 1 points failed inside the run; first 1T/6.7/mlx5/legacy: boom", err.toString().strip());
    }

    private static MatrixReport.Cell cell(String failure) {
        return new MatrixReport.Cell("6.7", "mlx5", "persist", true, true, failure == null, failure == null ? 10.0 : null,
                0, 0, 0, failure == null ? "ok" : failure, failure);
    }

    @Command(name = "failing")
    static final class Failing implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            SweepCommand.checkNoFailure(new SweepReport(java.util.List.of(new SweepReport.Point(1L << 40, "6.7", "mlx5",
                    "legacy", null, 0, 0, 0, false, 1, "boom"))));
            return 0;
        }
    }

    // --- 4. options a command does not use are refused ---

    @Test
    void optionsACommandDoesNotUseAreRefused() {
        for (String opt : new String[] {"--clock real", "--netdev local", "--trace-iotlb t.jsonl", "--reboots 3",
            "--duration 1s"}) {
            userError("matrix " + opt, opt.split(" ")[0]);
            userError("sweep " + opt, opt.split(" ")[0]);
        }
        userError("sweep --policies legacy", "--policies");
        // Within run: --duration only for --reboots 0, --warmup/--settle only with reboots.
        userError("run --reboots 2 --duration 10s", "--duration", "--reboots 2");
        userError("run --reboots 0 --warmup 2s", "--warmup", "--reboots 0");
        userError("run --reboots 0 --settle 2s", "--settle", "--reboots 0");
        userError("matrix --plot m.svg", "--plot");
    }

    @Test
    void matrixAndSweepRunTheProductOfTheirLists() {
        assertEquals(0, run(quick("matrix", "--kernel", "6.6", "--parent", "vdpa-sim,mlx5", "--policy", "naive", "--timeout", "1s")),
                err.toString());
        String t = out.toString();
        assertTrue(t.contains("6.6/vdpa-sim/naive") && t.contains("6.6/mlx5/naive"), t);
        assertFalse(t.contains("6.7/") || t.contains("legacy") || t.contains("platform"), t);
        out.getBuffer().setLength(0);
        // naive's first boot connects before QEMU 10.1 (from 10.1 the mapping made at SET_OWNER is dropped by the
        // kernel at the guest's probe reset and a sweep point without a first connection has nothing to measure).
        assertEquals(0, run(quick("sweep", "--memory", "256M,512M", "--policy", "naive", "--qemu", "9.2", "--timeout", "1s",
                "--json", "-")), err.toString());
        String j = out.toString();
        assertEquals(2, j.split("\"policy\" : \"naive\"", -1).length - 1, j);
        assertFalse(j.contains("legacy") || j.contains("\"persist\""), j);
    }

    @Test
    void severalNicsRunOnTheVirtualClockAndBadDerivedAddressesAreOneLine() {
        assertEquals(0, run(quick("run", "--nics", "2")), err.toString());
        assertTrue(out.toString().contains("  vhost-vdpa-1  yes"), out.toString());
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        userError(quick("run", "--nics", "2", "--clock", "real"), "--nics 2 with --clock real");
        userError(quick("run", "--nics", "2", "--ip", "223.255.255.2/24", "--peer-ip", "223.255.255.1"),
                "NIC 1 (mac 52:54:00:12:34:57, ip 224.0.0.2/24");
        userError(quick("run", "--nics", "8", "--queues", "16", "--memory", "128M"), "--nics 8 --queues 16",
                "give it at least 192M");
    }

    @Test
    void aQemuReleaseOutsideTheTimelineIsRefusedNamingEveryRelease() {
        for (String cmd : new String[] {"run", "sweep", "bench"}) {
            userError(cmd + " --qemu 9.1", "--qemu", "9.1", "9.0, 9.2, 10.1, master");
        }
        userError("matrix --qemu 9.0,8.2", "--qemu", "8.2", "9.0, 9.2, 10.1, master");
        userError("matrix --qemus 9.0,9.0", "--qemu", "9.0 appears twice");
    }

    // --- 5. address and MAC sanity, shared by every command ---

    @Test
    void configurationsNoNetworkCouldHaveAreRefusedByEveryCommand() {
        for (String cmd : new String[] {"run", "matrix", "sweep"}) {
            userError(cmd + " --ip 192.168.77.1/24", "--peer-ip 192.168.77.1", "guest's own address");
            userError(cmd + " --peer-ip 10.0.0.1", "--peer-ip 10.0.0.1", "outside the guest's subnet");
            userError(cmd + " --mac ff:ff:ff:ff:ff:ff", "--mac ff:ff:ff:ff:ff:ff", "broadcast");
            userError(cmd + " --mac 01:00:5e:00:00:01", "--mac 01:00:5e:00:00:01", "multicast");
            userError(cmd + " --mac 00:00:00:00:00:00", "--mac 00:00:00:00:00:00", "all-zero");
            userError(cmd + " --mac 52:54:00:00:00:01", "--mac 52:54:00:00:00:01", "peer's MAC");
            userError(cmd + " --ip 192.168.77.0/24 --peer-ip 192.168.77.1", "--ip 192.168.77.0", "network address");
            userError(cmd + " --peer-ip 192.168.77.255", "--peer-ip 192.168.77.255", "broadcast address");
            userError(cmd + " --mac +2:54:00:12:34:56", "--mac", "+2:54:00:12:34:56");
            userError(cmd + " --ip 10.0.0.1/32 --peer-ip 10.0.0.2", "--ip 10.0.0.1/32", "/31");
        }
        // /31: both addresses are hosts (RFC 3021).
        assertEquals(0, run(quick("run", "--ip", "10.0.0.0/31", "--peer-ip", "10.0.0.1")), err.toString());
        assertTrue(out.toString().contains("summary: 1/1 reboots restored"), out.toString());
    }

    // --- internal errors never exit 0 ---

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Mixin
        LoggingOptions logging;

        @Override
        public Integer call() {
            logging.apply();
            throw new IllegalStateException("a bug\nsecond line");
        }
    }

    @Command(name = "oom")
    static final class Oom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    private int runWith(Object extra, String... args) {
        CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        cl.addSubcommand(extra);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return Main.execute(cl, args, new PrintWriter(err, true));
    }

    @Test
    void anInternalErrorIsExitOneWithOneLineAndTheTraceOnlyAtDebug() {
        assertEquals(1, runWith(new Boom(), "boom"));
        String e = err.toString().strip();
        assertEquals("toyvm: internal error: IllegalStateException: a bug (--log-level debug shows the stack trace)", e);
        err.getBuffer().setLength(0);
        try {
            assertEquals(1, runWith(new Boom(), "boom", "--log-level", "debug"));
            assertTrue(err.toString().startsWith("toyvm: internal error: IllegalStateException: a bug\n"), err.toString());
            assertTrue(err.toString().contains("\tat org.toyvm.cli.CliErrorsTest$Boom.call"), err.toString());
        } finally {
            err.getBuffer().setLength(0);
            runWith(new Boom(), "boom", "--log-level", "warn");
        }
        err.getBuffer().setLength(0);
        assertEquals(1, runWith(new Oom(), "oom"));
        assertTrue(err.toString().startsWith("toyvm: internal error: OutOfMemoryError: Java heap space"), err.toString());
    }
}
