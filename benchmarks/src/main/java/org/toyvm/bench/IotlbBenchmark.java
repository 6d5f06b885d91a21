package org.toyvm.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.toyvm.vm.bench.IotlbWorkload;

/** Random translation lookups over 1k and 64k entries, against Guava's TreeRangeMap with the same entries. Goal ≥ 8× at both sizes (issue 12). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class IotlbBenchmark {
    @Param({"1024", "65536"})
    int entries;

    IotlbWorkload w;

    @Setup
    public void setup() {
        w = new IotlbWorkload(entries);
    }

    @Benchmark
    @OperationsPerInvocation(IotlbWorkload.BATCH)
    public long vhostIotlb() {
        return w.lookups();
    }

    @Benchmark
    @OperationsPerInvocation(IotlbWorkload.BATCH)
    public long guavaTreeRangeMapBaseline() {
        return w.lookupsGuava();
    }
}
