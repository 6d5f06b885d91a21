package org.toyvm.cli;

import java.nio.file.Path;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.kernel.KernelVersion;
import org.toyvm.vdpa.parent.ParentKind;
import org.toyvm.vm.experiment.ClockMode;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import picocli.CommandLine.Option;

/** The options of a run (DESIGN §4), shared by run, matrix and sweep where they make sense. */
public final class ExperimentOptions {
    @Option(names = "--kernel", paramLabel = "6.6|6.7", defaultValue = "6.7",
            description = "Kernel generation whose vhost-vdpa semantics to model (default: ${DEFAULT-VALUE}).")
    String kernel;

    @Option(names = "--parent", paramLabel = "platform|mlx5|vdpa-sim", defaultValue = "mlx5",
            description = "vDPA parent driver (default: ${DEFAULT-VALUE}).")
    String parent;

    @Option(names = "--policy", paramLabel = "legacy|persist|naive", defaultValue = "persist",
            description = "Userspace reset policy (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--reboots", defaultValue = "1", description = "Reboots (0: traffic only for --duration).")
    int reboots;

    @Option(names = "--ping-interval", paramLabel = "DURATION", defaultValue = "10ms",
            converter = Converters.Duration.class, description = "Ping interval of peer and guest (default: 10ms).")
    long pingIntervalNs;

    @Option(names = "--boot-time", paramLabel = "DURATION", converter = Converters.Duration.class,
            description = "Guest boot time (default: the cost profile's guest_boot).")
    Long bootTimeNs;

    @Option(names = "--cost-profile", paramLabel = "default|zero|FILE", defaultValue = "default",
            description = "Modelled costs (default: ${DEFAULT-VALUE}).")
    String costProfile;

    @Option(names = "--clock", paramLabel = "virtual|real", defaultValue = "virtual",
            description = "Virtual (deterministic) or real time (default: ${DEFAULT-VALUE}).")
    String clock;

    @Option(names = "--netdev", paramLabel = "SPEC", defaultValue = "local",
            description = "local; vxlan,local=IP:PORT,remote=IP:PORT,vni=N; dgram,local=IP:PORT,remote=IP:PORT;"
                    + " stream,addr=IP:PORT[,server=on] (default: ${DEFAULT-VALUE}).")
    String netdev;

    @Option(names = "--mac", defaultValue = "52:54:00:12:34:56", description = "Guest MAC address.")
    String mac;

    @Option(names = "--ip", paramLabel = "CIDR", defaultValue = "192.168.77.2/24", description = "Guest address.")
    String ip;

    @Option(names = "--peer-ip", paramLabel = "IP", defaultValue = "192.168.77.1", description = "Peer address.")
    String peerIp;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "1s", converter = Converters.Duration.class,
            description = "Traffic before the first reboot (default: 1s).")
    long warmupNs;

    @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "1s", converter = Converters.Duration.class,
            description = "Traffic after connectivity returns (default: 1s).")
    long settleNs;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Duration.class,
            description = "A reboot not restored after this is counted as not restored (default: 60s; sweep: 600s).")
    Long timeoutNs;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "5s", converter = Converters.Duration.class,
            description = "Run time with --reboots 0 (default: 5s).")
    long durationNs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (the peer's ping phase).")
    long seed;

    @Option(names = "--trace-iotlb", paramLabel = "FILE", description = "JSON lines, one per IOTLB message written.")
    Path traceIotlb;

    /** Resolves the options into a run configuration; user errors become one-line messages. */
    RunConfig toConfig(long memoryBytes, long defaultTimeoutNs) {
        CostProfile costs = CostProfile.resolve(costProfile);
        if (bootTimeNs != null) {
            costs = costs.withGuestBootNs(bootTimeNs);
        }
        if (reboots < 0) {
            throw new UsageException("bad --reboots " + reboots + ": expected 0 or more");
        }
        if (pingIntervalNs <= 0) {
            throw new UsageException("bad --ping-interval: must be greater than 0");
        }
        ClockMode c = ClockMode.parse(clock);
        org.toyvm.vdpa.wire.NetdevSpec.parse(netdev); // a bad spec is a user error, before anything starts
        if (c == ClockMode.VIRTUAL && !netdev.equals("local")) {
            throw new UsageException("bad --netdev '" + netdev + "' with --clock virtual: the virtual clock runs"
                    + " only with the in-process peer (--netdev local); use --clock real for sockets");
        }
        return new RunConfig(memoryBytes, KernelVersion.parse(kernel), ParentKind.parse(parent),
                ResetPolicy.parse(policy), reboots, pingIntervalNs, costs, costProfile, c, netdev,
                MacAddress.parse(mac), Ipv4Cidr.parse(ip), Ipv4Address.parse(peerIp), warmupNs, settleNs,
                timeoutNs != null ? timeoutNs : defaultTimeoutNs, durationNs, seed);
    }
}
