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
import org.toyvm.vm.bench.ListenerWorkload;

/** One commit after a hotplug on 1k and 10k RAM sections (plug + unplug = two commits). Goals (issue 12): 10k/1k ≤ 12; allocation per commit (-prof gc) growing by ≤ 1 B per section. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ListenerBenchmark {
    @Param({"1000", "10000"})
    int sections;

    ListenerWorkload w;

    @Setup
    public void setup() {
        w = new ListenerWorkload(sections);
    }

    @Benchmark
    @OperationsPerInvocation(2)
    public long commit() {
        return w.hotplugAndUnplug();
    }
}
