package org.toyvm.cli;

import java.nio.file.Path;
import org.toyvm.netdev.NetdevSpec;
import org.toyvm.vm.experiment.ClockMode;
import picocli.CommandLine.Option;

/** What only {@code run} uses: how many reboots, the clock and the wire, and the IOTLB trace. */
final class LiveOptions {
    @Option(names = "--reboots", paramLabel = "N", defaultValue = "1",
            description = "Reboots, 0..10000 (0: traffic only for --duration) (default: ${DEFAULT-VALUE}).")
    long reboots;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "5s", converter = Converters.Duration.class,
            description = "Run time with --reboots 0, 1ms..86400s (default: ${DEFAULT-VALUE}).")
    long durationNs;

    @Option(names = "--clock", paramLabel = "virtual|real", defaultValue = "virtual", converter = Converters.Clock.class,
            description = "Virtual (deterministic) or real time (default: ${DEFAULT-VALUE}).")
    ClockMode clock;

    @Option(names = "--netdev", paramLabel = "SPEC", defaultValue = "local",
            description = "local; vxlan,local=IP:PORT,remote=IP:PORT,vni=N; dgram,local=IP:PORT,remote=IP:PORT;"
                    + " stream,addr=IP:PORT[,server=on] (default: ${DEFAULT-VALUE}).")
    String netdev;

    @Option(names = "--trace-iotlb", paramLabel = "FILE", description = "JSON lines, one per IOTLB message written.")
    Path traceIotlb;

    /** The clock, checked against the netdev: the virtual clock runs only with the in-process peer. */
    ClockMode clockMode() {
        GuestOptions.user(() -> NetdevSpec.parse(netdev)); // a bad spec is a user error, before anything starts
        if (clock == ClockMode.VIRTUAL && !netdev.equals("local")) {
            throw new UsageException("bad --netdev '" + netdev + "' with --clock virtual: the virtual clock runs"
                    + " only with the in-process peer (--netdev local); use --clock real for sockets");
        }
        return clock;
    }

    void check() {
        Bounds.REBOOTS.check("--reboots", reboots);
        Bounds.DURATION.check("--duration", durationNs);
        if (traceIotlb != null) {
            OutputFile.checkWritable("--trace-iotlb", traceIotlb);
        }
    }
}
