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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.toyvm.vm.bench.DatapathWorkload;

/**
 * TX → in-process reflector → RX through the rings and the IOTLB, driven through the driver-side
 * {@code DriverRing}, against the honest baseline in the same run: a plain copy of the same bytes
 * (guest buffer → one reused wire buffer → guest buffer, header included) that allocates nothing.
 * Goals: 1500 B ≥ 0.7 of the copy's rate, 64 B ≥ 0.2, and 0 B allocated per packet at both sizes
 * ({@code -prof gc}: {@code gc.alloc.rate.norm} of {@code datapath}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class DatapathBenchmark {
    @Param({"64", "1500"})
    int frameLen;

    DatapathWorkload w;

    @Setup
    public void setup() {
        w = new DatapathWorkload(frameLen);
    }

    @TearDown
    public void tearDown() {
        w.close();
    }

    @Benchmark
    public int datapath() {
        return w.roundTrip();
    }

    @Benchmark
    public int plainCopyBaseline() {
        return w.plainCopy();
    }
}
