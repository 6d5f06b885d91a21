package org.toyvm.fuzz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Runs one surface: draws inputs from a seeded stream, runs each, classifies what escaped, keeps
 * the first (shrunk) reproducer per distinct signature, and watches every input with a wall-clock
 * bound. An input that hangs is reported, its worker stopped, and the run goes on with a fresh
 * surface and the rest of the same input stream.
 */
final class SurfaceRunner {
    /** Distinct outcomes kept (beyond this they are still counted as inputs, not as new outcomes). */
    private static final int MAX_OUTCOMES = 100_000;
    private static final long SHRINK_NANOS = 3_000_000_000L;

    private final Supplier<Surface<?>> factory;
    private final String name;
    private final long seed;
    private final long maxInputs;
    private final long budgetNanos;
    private final long hangNanos;

    // Shared with the watchdog.
    private volatile long inputStartedAt;
    private volatile long currentSeed;
    private volatile List<?> currentInput;
    private volatile Surface<?> currentSurface;

    // Owned by the current worker (one at a time); counters are updated under the runner's lock.
    private SplittableRandom master;
    private long deadline;
    private long inputs;
    private final Set<String> outcomes = new HashSet<>();
    private final Map<String, Finding> findings = new LinkedHashMap<>();
    private long crashes;
    private long oracleFailures;
    private long leaks;
    private long hangs;
    private String extra = "";

    SurfaceRunner(String name, Supplier<Surface<?>> factory, long seed, long maxInputs, long budgetNanos,
            long hangNanos) {
        this.name = name;
        this.factory = factory;
        this.seed = seed;
        this.maxInputs = maxInputs;
        this.budgetNanos = budgetNanos;
        this.hangNanos = hangNanos;
    }

    SurfaceResult run() {
        long t0 = System.nanoTime();
        master = new SplittableRandom(seed);
        deadline = t0 + budgetNanos;
        while (true) {
            java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
            Thread worker = new Thread(() -> loop(abandoned), "fuzz-" + name);
            worker.setDaemon(true);
            inputStartedAt = 0;
            worker.start();
            if (!watch(worker)) {
                break;
            }
            // The worker is stuck inside one input: report it, stop the worker and go on with a fresh
            // surface and the rest of the same input stream.
            StackTraceElement[] where = worker.getStackTrace();
            abandoned.set(true);
            String top = topFrame(where);
            Surface<?> s = currentSurface;
            List<?> in = currentInput;
            String repro = s == null || in == null ? "?" : describe(s, in);
            stop(worker);
            synchronized (this) {
                hangs++;
                inputs++;
                Finding f = findings.get("HANG " + top);
                findings.put("HANG " + top, f != null ? f.withCount(f.count() + 1)
                        : new Finding(name, "HANG", "HANG wall-clock at " + top, 1, currentSeed,
                                "input ran longer than " + hangNanos / 1_000_000 + " ms; stuck at " + top, repro));
                if (worker.isAlive() || inputs >= maxInputs || System.nanoTime() >= deadline) {
                    break; // a worker that cannot be stopped (Java 20+) keeps its surface: do not share it
                }
            }
        }
        synchronized (this) {
            return result(System.nanoTime() - t0);
        }
    }

    /** Waits for the worker; answers true when one input ran past the hang bound. */
    private boolean watch(Thread worker) {
        try {
            while (worker.isAlive()) {
                worker.join(100);
                long started = inputStartedAt;
                if (worker.isAlive() && started != 0 && System.nanoTime() - started > hangNanos) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Ends a stuck worker so that it does not eat a core for the rest of the campaign: interrupt, then
     * (Java 17–19) Thread.stop — the surface's objects are abandoned with it, nothing else shares them.
     */
    @SuppressWarnings({"deprecation", "removal"})
    private static void stop(Thread worker) {
        worker.interrupt();
        try {
            worker.join(1000);
            if (worker.isAlive()) {
                worker.stop();
                worker.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UnsupportedOperationException e) {
            // Java 20+: the daemon thread is left behind and the report says so.
        }
    }

    private SurfaceResult result(long elapsed) {
        return new SurfaceResult(name, seed, inputs, elapsed, outcomes.size(), crashes, oracleFailures, leaks, hangs,
                new ArrayList<>(findings.values()), extra);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void loop(java.util.concurrent.atomic.AtomicBoolean abandoned) {
        Surface s = factory.get();
        currentSurface = s;
        try {
            // The clock is read every 64 inputs.
            while (inputs < maxInputs && ((inputs & 63) != 0 || System.nanoTime() < deadline)) {
                long inputSeed = master.nextLong();
                List in = s.generate(new Gen(inputSeed));
                currentSeed = inputSeed;
                currentInput = in;
                inputStartedAt = System.nanoTime();
                Throwable failure = null;
                String outcome = null;
                try {
                    outcome = s.run(in);
                } catch (Throwable t) { // everything that escapes a surface is a finding
                    failure = t;
                }
                if (abandoned.get()) {
                    return; // the watchdog gave up on this input and on this worker
                }
                inputStartedAt = 0;
                synchronized (this) {
                    inputs++;
                    if (failure == null) {
                        if (outcomes.size() < MAX_OUTCOMES) {
                            outcomes.add(outcome);
                        }
                    } else {
                        record(s, in, inputSeed, failure);
                    }
                }
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
            synchronized (this) {
                extra = s.extra();
            }
        } finally {
            s.close();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void record(Surface s, List in, long inputSeed, Throwable t) {
        String kind = kindOf(t);
        switch (kind) {
            case "ORACLE" -> oracleFailures++;
            case "LEAK" -> leaks++;
            case "HANG" -> hangs++;
            default -> crashes++;
        }
        String sig = signature(t);
        Finding f = findings.get(sig);
        if (f != null) {
            findings.put(sig, f.withCount(f.count() + 1));
            return;
        }
        inputStartedAt = System.nanoTime(); // shrinking re-runs inputs: the watchdog looks at it too
        List shrunk = shrink(s, in, sig);
        Throwable again = rerun(s, shrunk);
        inputStartedAt = 0;
        Throwable shown = again != null ? again : t;
        findings.put(sig, new Finding(name, kind, sig, 1, inputSeed, oneLine(shown) + where(shown),
                describe(s, shrunk)));
    }

    static String kindOf(Throwable t) {
        return t instanceof OracleFailure o ? o.kind().name() : "CRASH";
    }

    /** Exception class and the first frame in the product (not in the fuzzer), or the oracle's name. */
    static String signature(Throwable t) {
        if (t instanceof OracleFailure o) {
            return o.kind() + " " + o.oracle();
        }
        return "CRASH " + t.getClass().getName() + " at " + topFrame(t.getStackTrace());
    }

    static String topFrame(StackTraceElement[] st) {
        for (StackTraceElement e : st) {
            if (e.getClassName().startsWith("org.toyvm.") && !e.getClassName().startsWith("org.toyvm.fuzz.")) {
                return e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1) + "." + e.getMethodName()
                        + ":" + e.getLineNumber();
            }
        }
        return st.length == 0 ? "?" : st[0].toString();
    }

    private static String where(Throwable t) {
        if (t instanceof OracleFailure) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(st.length, 6); i++) {
            sb.append("\n    at ").append(st[i]);
        }
        return sb.toString();
    }

    private static String oneLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        if (m.length() > 400) {
            m = m.substring(0, 400) + "...";
        }
        return (t instanceof OracleFailure ? "" : t.getClass().getName() + ": ") + m.replace('\n', ' ');
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String describe(Surface s, List in) {
        try {
            return s.describe(in);
        } catch (RuntimeException e) {
            return String.valueOf(in);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Throwable rerun(Surface s, List in) {
        try {
            s.run(in);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Greedy delta debugging: drop chunks of steps while the same signature still reproduces. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List shrink(Surface s, List in, String sig) {
        long until = System.nanoTime() + SHRINK_NANOS;
        List cur = new ArrayList<>(in);
        for (int chunk = Math.max(1, cur.size() / 2); chunk >= 1 && System.nanoTime() < until; chunk /= 2) {
            boolean progress = true;
            while (progress && System.nanoTime() < until) {
                progress = false;
                for (int at = 0; at + chunk <= cur.size() && System.nanoTime() < until;) {
                    List cand = new ArrayList<>(cur.subList(0, at));
                    cand.addAll(cur.subList(at + chunk, cur.size()));
                    Throwable t = cand.isEmpty() ? null : rerun(s, cand);
                    if (t != null && signature(t).equals(sig)) {
                        cur = cand;
                        progress = true;
                    } else {
                        at += chunk;
                    }
                }
            }
            if (chunk == 1) {
                break;
            }
        }
        return cur;
    }

    /** Runs the input drawn from {@code inputSeed} once and answers its description and outcome. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static String replay(Surface s, long inputSeed) {
        List in = s.generate(new Gen(inputSeed));
        StringBuilder sb = new StringBuilder(s.describe(in));
        try {
            sb.append("=> ").append(s.run(in));
        } catch (Throwable t) {
            sb.append("=> ").append(signature(t)).append(": ").append(oneLine(t)).append(where(t));
        }
        return sb.toString();
    }
}
