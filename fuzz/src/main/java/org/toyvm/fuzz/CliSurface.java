package org.toyvm.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.cli.Main;
import org.toyvm.core.units.Durations;
import picocli.CommandLine;

/**
 * CLI argument vectors: every subcommand and option with edge values (sizes and durations at the
 * top of {@code long}, zero, negative, bad units, bad addresses and MACs), missing values and junk.
 *
 * <p>Most inputs are parsed in-process by picocli with the real command classes and converters (no
 * run): the outcome is a parse or a {@link CommandLine.ParameterException}; any other exception is
 * a crash. These are the inputs counted towards the campaign's 10^6. One input in
 * {@value #RUN_ONE_IN} is instead a small virtual {@code run} (64 MiB, a reboot or two, with
 * edge-value timing options) executed through {@link Main#execute}, reported separately, with the
 * measurement's oracles: exit code in {0,1,2}; exit 2 prints exactly one stderr line; a restored
 * reboot's downtime is never shorter than the guest's boot time; pings lost never exceed pings sent.
 *
 * <p>The machine-shape options ({@code --queues}, {@code --nics}, {@code --memlock},
 * {@code --memory-backend}; comma lists on matrix and sweep) are checked after parsing, when the command
 * runs, so one input in {@value #SHAPE_ONE_IN} is a shape vector executed through {@link Main#execute}:
 * run, matrix or sweep with hostile and valid values of those options (0, 17, -1, 2^31, "1,1", "", a
 * huge memlock, memlock 0) on a tiny, zero-cost machine. Oracles: exit 0, 1 or 2; exit 2 is one stderr
 * line and nothing on stdout; exit 1 (the run failed, e.g. a memlock too low for any NIC to map) is a
 * report, never an internal error or a stack trace; exit 0 is JSON with one cell (point) per backend ×
 * NICs × queue pairs, each several-NIC reboot with one part per NIC.
 */
final class CliSurface implements Surface<String> {
    static final int RUN_ONE_IN = 20_000;
    private static final String RUN_MARK = "#run";
    static final int SHAPE_ONE_IN = 250;
    private static final String SHAPE_MARK = "#shape";
    /** NIC and queue-pair counts and lists: valid (1..8, 1..16) and hostile. */
    private static final String[] COUNTS = {
        "1", "2", "4", "8", "16", "0", "17", "-1", "2147483648", "4294967297", "99999999999999999999", "1,1", "", ",",
        "1,", ",1", "2,1", "1,2", "1,,2", " 1", "01", "+1", "0x2", "1.0", "\uff11", "1;2"
    };
    private static final String[] MEMLOCKS = {
        "0", "0G", "1", "4K", "64M", "1G", "16P", "8191P", "16E", "9223372036854775807", "9223372036854775808",
        "99999999999T", "-1", "", "1G,2G", " 1G", "1g", "1GiB"
    };
    private static final String[] BACKENDS = {
        "default", "anon", "thp", "hugetlb-2M", "hugetlb-1G", "memfd", "hugetlb", "ANON", "", ",", "anon,memfd",
        "anon,anon", "anon,,memfd", "default,hugetlb-2M"
    };
    private static final String[] SUBCOMMANDS = {"run", "matrix", "sweep", "uapi", "bench", "help", ""};
    private static final String[] DURATIONS = {
        "0s", "0ns", "1ns", "99us", "100us", "101us", "1ms", "10ms", "300ms", "1s", "1.5s", "2s", "60s",
        "9223372036s", "9223372037s", "9223372036854775807ns", "9223372036854775808ns", "-1s", "1", "s", "1e3s",
        "18446744073709551615ns", "0.0000000001s", "", " 1s"
    };
    private static final String[] SIZES = {
        "64M", "63M", "1G", "8G", "1T", "64P", "16E", "8E", "0", "1", "4095", "4096", "4K", "-1", "9223372036854775807",
        "9223372036854775808", "99999999999T", "1.5G", "G", "", ",", "1G,", ",1G", "64M,1G"
    };
    private static final String[][] OPTIONS = {
        {"--kernel", "6.6", "6.7", "6.8", "", "6.6,6.7"},
        {"--parent", "platform", "mlx5", "vdpa-sim", "mlx", "platform,mlx5"},
        {"--policy", "legacy", "persist", "naive", "LEGACY", "legacy,persist"},
        {"--policies", "legacy,persist", "naive", "", ",", "legacy,,persist"},
        {"--reboots", "0", "1", "2", "-1", "2147483647", "2147483648", "9223372036854775807", "x", ""},
        {"--ping-interval"}, {"--boot-time"}, {"--warmup"}, {"--settle"}, {"--timeout"}, {"--duration"}, {"--time"},
        {"--memory"},
        {"--cost-profile", "default", "zero", "/nonexistent", "/", "", "fast"},
        {"--clock", "virtual", "real", "VIRTUAL", "wall", ""},
        {"--netdev", "local", "vxlan,local=127.0.0.1:0,remote=127.0.0.1:1,vni=42", "dgram,local=1.2.3.4:99999",
            "stream,addr=127.0.0.1:0,server=maybe", "vxlan,vni=16777216", "bogus", "", ",", "local,x=1"},
        {"--mac", "52:54:00:12:34:56", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", "00:00:00:00:00:00",
            "+2:54:00:12:34:56", "52:54:00:12:34", "52:54:00:12:34:56:78", "zz:54:00:12:34:56", ""},
        {"--ip", "192.168.77.2/24", "192.168.77.1/24", "192.168.77.0/24", "192.168.77.255/24", "10.0.0.1/33",
            "10.0.0.1/-1", "10.0.0.1", "256.0.0.1/24", "0.0.0.0/0", ""},
        {"--peer-ip", "192.168.77.1", "192.168.77.2", "10.0.0.1", "255.255.255.255", "1.2.3", "", "::1"},
        {"--seed", "0", "1", "-1", "9223372036854775807", "9223372036854775808", "x"},
        {"--json", "-", "/nonexistent/x.json", "/"},
        {"--plot", "/", "/nonexistent/x.svg", "x.gif", "x.svg"},
        {"--trace-iotlb", "/nonexistent/t.jsonl", "/"},
        {"--log-level", "warn", "debug", "off", "loud", ""},
        {"--trace", "*", "trace.*", "", "["},
        {"--queues", "1", "4", "16", "0", "17", "-1", "2147483648", "1,1", "", "1,4"},
        {"--nics", "1", "2", "8", "0", "9", "-1", "2147483648", "1,1", "", "1,2"},
        {"--memlock", "0", "1", "1G", "16E", "9223372036854775807", "99999999999T", "-1", ""},
        {"--memory-backend", "default", "anon", "hugetlb-1G", "memfd", "hugetlb", "", "anon,memfd", "anon,,memfd"},
        {"--help"}, {"--version"}, {"-h"}, {"-V"}
    };

    private final CommandLine parser = new CommandLine(new Main());
    private final ObjectMapper json = new ObjectMapper();
    private long parses;
    private long runs;
    private long parseNanos;
    private long runNanos;
    private long shapes;
    private final java.util.Map<Integer, Long> shapeExits = new java.util.TreeMap<>();
    private final java.util.Map<Integer, Long> runExits = new java.util.TreeMap<>();

    CliSurface() {
        parser.setCaseInsensitiveEnumValuesAllowed(false);
    }

    @Override
    public String name() {
        return "cli";
    }

    private static String value(Gen g, String opt, String[] given) {
        return switch (opt) {
            case "--ping-interval", "--boot-time", "--warmup", "--settle", "--timeout", "--duration", "--time" ->
                g.chance(80) ? g.pick(DURATIONS) : g.int64() + g.pick("ns", "us", "ms", "s", "");
            case "--memory" -> g.chance(80) ? g.pick(SIZES) : Long.toUnsignedString(g.int64()) + g.pick("", "K", "M", "G", "T");
            default -> given.length > 1 ? given[1 + g.below(given.length - 1)] : null;
        };
    }

    @Override
    public List<String> generate(Gen g) {
        List<String> argv = new ArrayList<>();
        if (g.below(RUN_ONE_IN) == 0) {
            return runVector(g);
        }
        if (g.below(SHAPE_ONE_IN) == 0) {
            return shapeVector(g);
        }
        String sub = g.pick(SUBCOMMANDS);
        if (!sub.isEmpty()) {
            argv.add(sub);
        }
        int n = g.below(7);
        for (int i = 0; i < n; i++) {
            String[] o = OPTIONS[g.below(OPTIONS.length)];
            String opt = o[0];
            String v = value(g, opt, o);
            switch (g.below(10)) {
                case 0 -> argv.add(opt); // value missing
                case 1 -> argv.add(opt + "=" + (v == null ? "" : v));
                case 2 -> argv.add(g.pick("--", "-", "--no-such", "extra", "--reboots=", "-x", "@", "\u00e9"));
                default -> {
                    argv.add(opt);
                    if (v != null) {
                        argv.add(v);
                    }
                }
            }
        }
        return argv;
    }

    /** A small virtual run whose timing options sit on edges (runs stay under a few seconds of CPU). */
    private static List<String> runVector(Gen g) {
        List<String> a = new ArrayList<>(List.of(RUN_MARK, "run", "--memory", "64M", "--reboots",
                Integer.toString(1 + g.below(2)), "--json", "-", "--cost-profile", g.pick("zero", "default")));
        a.add("--kernel");
        a.add(g.pick("6.6", "6.7"));
        a.add("--parent");
        a.add(g.pick("platform", "mlx5", "vdpa-sim"));
        a.add("--policy");
        a.add(g.pick("legacy", "persist", "naive"));
        if (g.chance(70)) {
            a.add("--boot-time");
            a.add(g.pick("0s", "1ns", "100us", "10ms", "300ms", "2s", "9223372036s", "9223372035s"));
        }
        if (g.chance(70)) {
            a.add("--ping-interval");
            // Sub-millisecond intervals are the interesting edge (issue 11) but cost 10x the events.
            a.add(g.chance(30) ? g.pick("99us", "100us", "101us") : g.pick("1ms", "10ms", "1s", "3s"));
        }
        // A bounded timeout: a reboot that is not restored runs until it, pinging all the way.
        a.add("--timeout");
        a.add(g.pick("1s", "3s"));
        for (String opt : new String[] {"--warmup", "--settle"}) {
            if (g.chance(40)) {
                a.add(opt);
                a.add(g.pick("0s", "1ns", "10ms", "1s", "5s"));
            }
        }
        return a;
    }

    /**
     * run, matrix or sweep on a 64 MiB zero-cost guest (no boot time, warm-up or settle, a 1 s timeout) with
     * some of the shape options at valid or hostile values; lists of at most two elements, so that a valid
     * vector runs at most eight small cells.
     */
    private static List<String> shapeVector(Gen g) {
        String sub = g.pick("run", "matrix", "sweep");
        List<String> a = shapeBase(sub, g.pick("mlx5", "vdpa-sim", "platform"), g.pick("legacy", "persist"));
        boolean lists = !sub.equals("run");
        if (g.chance(60)) {
            a.addAll(List.of("--queues", shapeValue(g, COUNTS, lists)));
        }
        if (g.chance(60)) {
            a.addAll(List.of("--nics", shapeValue(g, COUNTS, lists)));
        }
        if (g.chance(40)) {
            a.addAll(List.of("--memlock", g.pick(MEMLOCKS)));
        }
        if (g.chance(30)) {
            a.addAll(List.of("--memory-backend", shapeValue(g, BACKENDS, lists)));
        }
        return a;
    }

    /** A shape vector's command on a 64 MiB zero-cost guest, before its shape options (also the tests'). */
    static List<String> shapeBase(String sub, String parent, String policy) {
        return new ArrayList<>(List.of(SHAPE_MARK, sub, "--memory", "64M", "--cost-profile", "zero", "--boot-time",
                "0s", "--warmup", "0s", "--settle", "0s", "--timeout", "1s", "--kernel", "6.12", "--parent", parent,
                "--policy", policy, "--json", "-"));
    }

    /** One value, or on a list option sometimes two joined by a comma (each may be hostile). */
    private static String shapeValue(Gen g, String[] values, boolean lists) {
        String v = g.pick(values);
        return lists && g.chance(30) ? v + "," + g.pick(values) : v;
    }

    @Override
    public String run(List<String> input) throws Exception {
        if (!input.isEmpty() && input.get(0).equals(SHAPE_MARK)) {
            long t0 = System.nanoTime();
            try {
                return executeShape(input.subList(1, input.size()));
            } finally {
                runNanos += System.nanoTime() - t0;
            }
        }
        if (!input.isEmpty() && input.get(0).equals(RUN_MARK)) {
            long t0 = System.nanoTime();
            try {
                return execute(input.subList(1, input.size()));
            } finally {
                runNanos += System.nanoTime() - t0;
            }
        }
        parses++;
        long t0 = System.nanoTime();
        try {
            CommandLine.ParseResult r = parser.parseArgs(input.toArray(new String[0]));
            CommandLine.ParseResult sub = r.subcommand();
            return "parsed " + (sub == null ? "" : sub.commandSpec().name());
        } catch (CommandLine.ParameterException e) {
            return "usage-error " + e.getClass().getSimpleName();
        } finally {
            parseNanos += System.nanoTime() - t0;
        }
    }

    private String execute(List<String> argv) throws Exception {
        runs++;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.execute(argv.toArray(new String[0]), new PrintWriter(out, true), new PrintWriter(err, true));
        runExits.merge(rc, 1L, Long::sum);
        OracleFailure.check(rc == 0 || rc == 1 || rc == 2, "exit-code-0-1-2", () -> "exit " + rc + ": " + err);
        if (rc == 2) {
            long lines = err.toString().strip().lines().count();
            OracleFailure.check(lines == 1, "exit-2-one-stderr-line", () -> lines + " lines: " + err);
            return "run exit 2";
        }
        if (rc != 0) {
            return "run exit " + rc;
        }
        long bootNs = argv.contains("--boot-time") ? Durations.parseNanos(argv.get(argv.indexOf("--boot-time") + 1))
                : argv.get(argv.indexOf("--cost-profile") + 1).equals("zero") ? 0 : 2_000_000_000L;
        JsonNode report = json.readTree(out.toString());
        for (JsonNode r : report.path("reboots")) {
            long sent = r.path("pings_sent").asLong();
            long lost = r.path("pings_lost").asLong();
            OracleFailure.check(lost <= sent, "pings-lost-not-above-sent", () -> r.toString());
            OracleFailure.check(r.path("guest_pings_lost").asLong() <= r.path("guest_pings_sent").asLong(),
                    "pings-lost-not-above-sent", () -> r.toString());
            if (r.path("restored").asBoolean()) {
                double downMs = r.path("downtime_ms").asDouble();
                OracleFailure.check(downMs * 1e6 >= bootNs, "downtime-not-below-boot",
                        () -> "reboot " + r.path("index") + " restored after " + downMs + " ms, the boot takes " + bootNs / 1e6
                                + " ms");
            }
        }
        JsonNode s = report.path("summary");
        OracleFailure.check(s.path("pings_lost").asLong() <= s.path("pings_sent").asLong(), "pings-lost-not-above-sent",
                () -> s.toString());
        return "run exit 0";
    }

    private String executeShape(List<String> argv) throws Exception {
        shapes++;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.execute(argv.toArray(new String[0]), new PrintWriter(out, true), new PrintWriter(err, true));
        shapeExits.merge(rc, 1L, Long::sum);
        OracleFailure.check(rc == 0 || rc == 1 || rc == 2, "exit-code-0-1-2", () -> "exit " + rc + ": " + err);
        if (rc == 2) {
            long lines = err.toString().strip().lines().count();
            OracleFailure.check(lines == 1, "exit-2-one-stderr-line", () -> lines + " lines: " + err);
            OracleFailure.check(out.toString().isEmpty(), "exit-2-nothing-ran", () -> out.toString());
            return "shape exit 2";
        }
        String all = out + "\n" + err;
        OracleFailure.check(!all.contains("internal error") && !all.contains("Exception") && !all.contains("\tat "),
                "no-internal-error", () -> "exit " + rc + ": " + all);
        if (rc == 1) {
            return "shape exit 1";
        }
        JsonNode report = json.readTree(out.toString());
        String sub = argv.get(0);
        if (!sub.equals("run")) {
            long expect = elements(argv, "--queues") * elements(argv, "--nics") * elements(argv, "--memory-backend");
            JsonNode rows = report.path(sub.equals("matrix") ? "cells" : "points");
            OracleFailure.check(rows.size() == expect, "one-cell-per-shape", () -> rows.size() + " cells, expected "
                    + expect + ": " + argv);
            for (JsonNode c : rows) {
                JsonNode parts = c.path("nic_results");
                OracleFailure.check(parts.isMissingNode() || parts.size() == c.path("nics").asInt(),
                        "one-part-per-nic", () -> c.toString());
            }
        } else {
            int nics = report.path("config").path("nics").asInt();
            String given = argv.contains("--nics") ? argv.get(argv.indexOf("--nics") + 1) : "1";
            OracleFailure.check(!given.matches("[0-9]{1,9}") || Integer.parseInt(given) == nics, "nics-as-given",
                    () -> given + " gave " + nics);
            for (JsonNode r : report.path("reboots")) {
                OracleFailure.check(nics == 1 ? r.path("nics").isMissingNode() : r.path("nics").size() == nics,
                        "one-part-per-nic", () -> r.toString());
            }
        }
        return "shape exit 0";
    }

    /** How many elements the list option {@code opt} was given (1 when absent). */
    private static long elements(List<String> argv, String opt) {
        int i = argv.indexOf(opt);
        return i < 0 ? 1 : argv.get(i + 1).split(",", -1).length;
    }

    @Override
    public String describe(List<String> input) {
        StringBuilder sb = new StringBuilder("toyvm");
        for (String a : input) {
            sb.append(' ').append(a.isEmpty() || a.contains(" ") ? "'" + a + "'" : a);
        }
        return sb.toString();
    }

    @Override
    public String extra() {
        return String.format("%d parsed in-process, %.0f/s of parsing; %d sampled virtual runs, exit codes %s, and %d"
                + " shape vectors, exit codes %s, in %.1f s", parses, parses * 1e9 / Math.max(1, parseNanos), runs,
                runExits, shapes, shapeExits, runNanos / 1e9);
    }
}
