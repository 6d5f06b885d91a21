package org.toyvm.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.toyvm.core.units.Sizes;
import org.toyvm.vm.bench.RebootWorkload;
import org.toyvm.vm.report.RunReport;

/**
 * Wall time of a whole virtual run, in-process, at a small and a large guest: a legacy reboot run at
 * 1 GiB and 4 TiB (goal: 4 TiB / 1 GiB ≤ 3), and the default persist run
 * ({@code ./toyvm run --timeout 3600s}) at 8 GiB and 32 TiB (goal, measured on the whole process
 * with hyperfine: 32 TiB / 8 GiB ≤ 1.5).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RebootBenchmark {
    /** POLICY:SIZE — a legacy reboot run or the default persist run, at a guest size {@link Sizes} reads. */
    @Param({"legacy:1G", "legacy:4T", "persist:8G", "persist:32T"})
    String run;

    RebootWorkload w;

    @Setup
    public void setup() {
        String[] ps = run.split(":", 2);
        long bytes = Sizes.parse(ps[1]);
        w = switch (ps[0]) {
            case "legacy" -> new RebootWorkload(bytes);
            case "persist" -> RebootWorkload.persistRun(bytes);
            default -> throw new IllegalArgumentException("run '" + run + "': expected legacy:SIZE or persist:SIZE");
        };
    }

    @Benchmark
    public RunReport rebootRun() {
        return w.run();
    }
}
