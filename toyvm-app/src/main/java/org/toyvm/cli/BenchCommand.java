package org.toyvm.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.toyvm.vm.bench.Bench;
import org.toyvm.vm.report.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code toyvm bench}: datapath and control-plane rates, each beside its baseline. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the datapath (against a plain copy), IOTLB lookups (against Guava's TreeRangeMap),"
                + " listener commits (10k against 1k sections) and reboot runs (4 TiB against 1 GiB), and say which"
                + " goals this machine meets.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ReportOptions report;

    @Mixin
    QemuOptions.One qemu;

    @Option(names = "--time", paramLabel = "DURATION", defaultValue = "300ms", converter = Converters.Duration.class,
            description = "Measuring time per side of each benchmark, after as much warm-up, 10ms..60s"
                    + " (default: ${DEFAULT-VALUE}).")
    long timeNs;

    @Override
    public Integer call() throws Exception {
        Bounds.BENCH_TIME.check("--time", timeNs);
        report.check();
        Bench.Report r = new Bench(timeNs, qemu.qemu).run();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-26s %16s %-26s %16s %-32s %9s  %-14s %s%n", "benchmark", "value", "unit",
                "baseline", "baseline unit", "ratio", "goal", "met"));
        for (Bench.Result b : r.benchmarks()) {
            sb.append(String.format(Locale.ROOT, "%-26s %16.1f %-26s %16.1f %-32s %9.3f  %-14s %s%n", b.name(), b.value(),
                    b.unit(), b.baseline(), b.baselineUnit(), b.ratio(), b.goal(), b.met() ? "yes" : "NO"));
        }
        long met = r.benchmarks().stream().filter(Bench.Result::met).count();
        sb.append(String.format(Locale.ROOT, "%ngoals met on this machine: %d of %d%n", met, r.benchmarks().size()));
        report.emit(spec.commandLine().getOut(), sb.toString(), new Json().pretty(r));
        return 0;
    }
}
