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
import org.toyvm.vm.bench.RebootWorkload;
import org.toyvm.vm.report.RunReport;

/**
 * Wall time of the default persist run ({@code ./toyvm run --timeout 3600s}) at 8 GiB and at
 * 32 TiB, in-process. Goal (issue 12, measured on the whole process with hyperfine): 32 TiB / 8 GiB
 * ≤ 1.5.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PersistRunBenchmark {
    @Param({"8589934592", "35184372088832"})
    long memoryBytes;

    RebootWorkload w;

    @Setup
    public void setup() {
        w = RebootWorkload.persistRun(memoryBytes);
    }

    @Benchmark
    public RunReport persistRun() {
        return w.run();
    }
}
