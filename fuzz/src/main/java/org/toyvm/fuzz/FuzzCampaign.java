package org.toyvm.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.toyvm.core.units.Durations;

/**
 * The fuzz campaign (README "Fuzzing"): runs the chosen surfaces one after the other, each with a
 * stream of inputs drawn from the campaign seed, and prints per surface the inputs tried, the
 * distinct outcomes, crashes, oracle failures, leaks, hangs and the seed to reproduce.
 *
 * <pre>
 * FuzzCampaign [--surfaces all|mmio,ring,...] [--inputs N] [--seed N|random] [--budget DURATION]
 *              [--hang DURATION] [--report FILE.md] [--replay SURFACE:INPUT_SEED]
 * </pre>
 * Exit code 0 when every surface is clean, 1 on any crash, oracle failure, leak or hang, 2 on a bad option.
 */
public final class FuzzCampaign {
    /** Campaign settings. */
    public record Options(List<String> surfaces, long inputs, long seed, long budgetNanos, long hangNanos,
            String report, String replay) {
        public static Options defaults() {
            return new Options(List.copyOf(Surfaces.all().keySet()), 1_000_000, new SecureRandom().nextLong(),
                    540_000_000_000L, 10_000_000_000L, null, null);
        }
    }

    private FuzzCampaign() {
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fuzz: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(o, System.out));
    }

    /** Parses the command line (also used by the -Pfuzz test with the fuzz.* system properties). */
    public static Options parse(String[] args) {
        Options d = Options.defaults();
        List<String> surfaces = d.surfaces();
        long inputs = d.inputs();
        long seed = d.seed();
        long budget = d.budgetNanos();
        long hang = d.hangNanos();
        String report = null;
        String replay = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--surfaces" -> surfaces = surfaces(v);
                case "--inputs" -> inputs = positive(a, v);
                case "--seed" -> seed = v.equals("random") ? new SecureRandom().nextLong() : Long.decode(v);
                case "--budget" -> budget = Durations.parseNanos(v);
                case "--hang" -> hang = Durations.parseNanos(v);
                case "--report" -> report = v.isBlank() ? null : v;
                case "--replay" -> replay = v;
                default -> throw new IllegalArgumentException("unknown option " + a + " (expected --surfaces, --inputs,"
                        + " --seed, --budget, --hang, --report, --replay)");
            }
        }
        return new Options(surfaces, inputs, seed, budget, hang, report, replay);
    }

    private static long positive(String opt, String v) {
        long n;
        try {
            n = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad " + opt + " '" + v + "': expected a positive number");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("bad " + opt + " '" + v + "': expected a positive number");
        }
        return n;
    }

    static List<String> surfaces(String v) {
        Map<String, Supplier<Surface<?>>> all = Surfaces.all();
        if (v.equals("all")) {
            return List.copyOf(all.keySet());
        }
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            String n = s.strip().toLowerCase(Locale.ROOT);
            if (!all.containsKey(n)) {
                throw new IllegalArgumentException("unknown surface '" + s + "': expected all or some of "
                        + String.join(",", all.keySet()));
            }
            out.add(n);
        }
        return out;
    }

    /** The seed of one surface: the campaign seed mixed with the surface's name (reproducible alone). */
    public static long surfaceSeed(long seed, String surface) {
        long h = seed ^ (surface.hashCode() * 0x9E3779B97F4A7C15L);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** Quietens the product's logging: millions of refused inputs would each log a warning. */
    static void quietLogs() {
        Configurator.setRootLevel(Level.OFF);
        Configurator.setLevel("trace", Level.OFF);
    }

    /** Runs the campaign; answers the exit code. */
    public static int run(Options o, PrintStream out) {
        quietLogs();
        if (o.replay() != null) {
            int colon = o.replay().indexOf(':');
            String name = colon < 0 ? "" : o.replay().substring(0, colon);
            Supplier<Surface<?>> f = Surfaces.all().get(name);
            if (f == null) {
                out.println("fuzz: --replay needs SURFACE:INPUT_SEED");
                return 2;
            }
            try (Surface<?> s = f.get()) {
                out.println(SurfaceRunner.replay(s, Long.parseLong(o.replay().substring(colon + 1))));
            }
            return 0;
        }
        List<SurfaceResult> results = runAll(o, out);
        out.println(table(results));
        List<Finding> findings = new ArrayList<>();
        results.forEach(r -> findings.addAll(r.findings()));
        for (Finding f : findings) {
            out.println(render(f));
        }
        if (o.report() != null) {
            try {
                Files.writeString(Path.of(o.report()), markdown(o, results), StandardCharsets.UTF_8);
            } catch (IOException e) {
                out.println("fuzz: cannot write the report " + o.report() + ": " + e.getMessage());
                return 2;
            }
        }
        return results.stream().allMatch(SurfaceResult::clean) ? 0 : 1;
    }

    /** Runs every chosen surface, sharing the time budget among the surfaces not yet run. */
    public static List<SurfaceResult> runAll(Options o, PrintStream out) {
        out.printf("fuzz campaign: seed %d (rerun with --seed %d), surfaces %s, up to %d inputs each, budget %s%n",
                o.seed(), o.seed(), String.join(",", o.surfaces()), o.inputs(), Durations.format(o.budgetNanos()));
        long end = System.nanoTime() + o.budgetNanos();
        List<SurfaceResult> results = new ArrayList<>();
        List<String> names = o.surfaces();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            long share = Math.max(0, (end - System.nanoTime()) / (names.size() - i));
            SurfaceRunner r = new SurfaceRunner(name, Surfaces.all().get(name), surfaceSeed(o.seed(), name), o.inputs(),
                    share, o.hangNanos());
            SurfaceResult res = r.run();
            out.println(line(res));
            out.flush();
            results.add(res);
        }
        return results;
    }

    static String header() {
        return String.format("%-8s %10s %10s %9s %8s %7s %6s %6s  %s", "surface", "inputs", "inputs/s", "outcomes",
                "crashes", "oracle", "leaks", "hangs", "seed");
    }

    static String line(SurfaceResult r) {
        return String.format("%-8s %10d %10.0f %9d %8d %7d %6d %6d  %d%s", r.surface(), r.inputs(), r.inputsPerSecond(),
                r.distinctOutcomes(), r.crashes(), r.oracleFailures(), r.leaks(), r.hangs(), r.seed(),
                r.extra().isEmpty() ? "" : "  (" + r.extra() + ")");
    }

    static String table(List<SurfaceResult> results) {
        StringBuilder sb = new StringBuilder(header()).append('\n');
        results.forEach(r -> sb.append(line(r)).append('\n'));
        return sb.toString();
    }

    static String render(Finding f) {
        return "--- " + f.surface() + " " + f.signature() + " (" + f.count() + " inputs; first input seed " + f.inputSeed()
                + ", --replay " + f.surface() + ":" + f.inputSeed() + ")\n    " + f.message().replace("\n", "\n    ")
                + "\n  reproducer (shrunk):\n    " + f.reproducer().strip().replace("\n", "\n    ");
    }

    static String markdown(Options o, List<SurfaceResult> results) {
        StringBuilder sb = new StringBuilder("# Fuzz campaign ").append(Instant.now()).append("\n\nseed ")
                .append(o.seed()).append("\n\n```\n").append(table(results)).append("```\n");
        for (SurfaceResult r : results) {
            for (Finding f : r.findings()) {
                sb.append("\n## ").append(f.surface()).append(": ").append(f.signature()).append("\n\n```\n")
                        .append(render(f)).append("\n```\n");
            }
        }
        return sb.toString();
    }
}
