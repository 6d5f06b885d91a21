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

/** Wall time of a virtual legacy reboot run at 1 GiB and at 4 TiB. Goal: 4 TiB / 1 GiB ≤ 3. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RebootBenchmark {
    @Param({"1073741824", "4398046511104"})
    long memoryBytes;

    RebootWorkload w;

    @Setup
    public void setup() {
        w = new RebootWorkload(memoryBytes);
    }

    @Benchmark
    public RunReport rebootRun() {
        return w.run();
    }
}
