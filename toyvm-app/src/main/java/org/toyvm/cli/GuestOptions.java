package org.toyvm.cli;

import java.util.OptionalLong;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.units.Sizes;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.experiment.ClockMode;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import picocli.CommandLine.Option;

/**
 * What every experiment command (run, matrix, sweep) uses: the guest's and peer's traffic and timing,
 * the cost profile, the guest's addresses and the process's RLIMIT_MEMLOCK. The machine's shape
 * ({@code --memory-backend}, {@code --nics}, {@code --queues}) is one value on run ({@link MachineShape})
 * and a list on matrix and sweep ({@link MachineAxes}). The addresses are checked together, with the rest of
 * the configuration, by {@code RunConfig.check()} (one place for every command).
 */
final class GuestOptions {
    @Option(names = "--ping-interval", paramLabel = "DURATION", defaultValue = "10ms",
            converter = Converters.Duration.class,
            description = "Ping interval of peer and guest, 100us..10s (default: ${DEFAULT-VALUE}).")
    long pingIntervalNs;

    @Option(names = "--boot-time", paramLabel = "DURATION", converter = Converters.Duration.class,
            description = "Guest boot time, 0s..600s (default: the cost profile's guest_boot).")
    Long bootTimeNs;

    @Option(names = "--cost-profile", paramLabel = "default|zero|FILE", defaultValue = "default",
            description = "Modelled costs: a name or a file of 'key = DURATION' lines, each key with its range"
                    + " (README) (default: ${DEFAULT-VALUE}).")
    String costProfile;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "1s", converter = Converters.Duration.class,
            description = "Traffic before the first reboot, 0s..3600s (default: ${DEFAULT-VALUE}).")
    long warmupNs;

    @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "1s", converter = Converters.Duration.class,
            description = "Traffic after connectivity returns, 0s..3600s (default: ${DEFAULT-VALUE}).")
    long settleNs;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Duration.class,
            description = "A reboot not restored after this is counted as not restored, 1ms..86400s"
                    + " (default: 60s; sweep and migrate: 600s).")
    Long timeoutNs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed (the peer's ping phase) (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--mac", paramLabel = "MAC", defaultValue = "52:54:00:12:34:56",
            description = "Guest MAC: a unicast address other than the peer's (default: ${DEFAULT-VALUE}).")
    String mac;

    @Option(names = "--ip", paramLabel = "CIDR", defaultValue = "192.168.77.2/24",
            description = "Guest address and prefix /1../31 (/31: a point-to-point pair) (default: ${DEFAULT-VALUE}).")
    String ip;

    @Option(names = "--peer-ip", paramLabel = "IP", defaultValue = "192.168.77.1",
            description = "Peer address, another host of the guest's subnet (default: ${DEFAULT-VALUE}).")
    String peerIp;

    @Option(names = "--memlock", paramLabel = "SIZE",
            description = "RLIMIT_MEMLOCK of the QEMU process, counting every device's pins (default: libvirt's"
                    + " rule, 1G + RAM × NICs).")
    String memlock;

    /** The options checked one by one; combinations are {@code RunConfig.check()}'s. */
    Resolved resolve(long defaultTimeoutNs) {
        Bounds.PING_INTERVAL.check("--ping-interval", pingIntervalNs);
        if (bootTimeNs != null) {
            Bounds.BOOT_TIME.check("--boot-time", bootTimeNs);
        }
        Bounds.WARMUP.check("--warmup", warmupNs);
        Bounds.SETTLE.check("--settle", settleNs);
        long timeout = timeoutNs != null ? timeoutNs : defaultTimeoutNs;
        Bounds.TIMEOUT.check("--timeout", timeout);
        CostProfile costs = user("--cost-profile", () -> CostProfile.resolve(costProfile));
        if (bootTimeNs != null) {
            costs = costs.withGuestBootNs(bootTimeNs);
        }
        // One NIC of one queue pair here; run's MachineShape and the matrix's and sweep's ShapeAxes set the
        // NICs, queue pairs and memory backend of each configuration.
        NetTopology net = new NetTopology(1, 1, memlock == null ? OptionalLong.empty()
                : OptionalLong.of(memlockBytes(memlock)));
        return new Resolved(costs, net, user("--mac", () -> MacAddress.parse(mac)), user("--ip", () -> Ipv4Cidr.parse(ip)),
                user("--peer-ip", () -> Ipv4Address.parse(peerIp)), timeout, this);
    }

    /** The guest options, checked and parsed. */
    record Resolved(CostProfile costs, NetTopology net, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long timeoutNs,
            GuestOptions options) {
        /**
         * A run of this guest on the machine, clock and wire the command chose (the one place a RunConfig is
         * built): one NIC of one queue pair, guest RAM without a backend until the command sets its shape.
         */
        RunConfig config(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy, int reboots,
                ClockMode clock, String netdev, long durationNs) {
            GuestOptions o = options;
            RunConfig c = new RunConfig(memoryBytes, kernel, parent, policy, reboots, o.pingIntervalNs, costs,
                    o.costProfile, clock, netdev, mac, ip, peerIp, o.warmupNs, o.settleNs, timeoutNs, durationNs, o.seed);
            return c.withNet(net);
        }
    }

    /**
     * A memlock size: a size such as 64G, or 0 (ulimit -l 0: nothing may be pinned; a PA-mode device then
     * fails every UPDATE, a VA-mode one pins nothing) — which Sizes.parse, made for RAM sizes, refuses.
     */
    private static long memlockBytes(String text) {
        if (text != null && text.strip().matches("(?i)0+([KMGTP](I?B)?|B)?")) {
            return 0;
        }
        try {
            return Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad --memlock '" + text + "': expected a size such as 257G");
        }
    }

    /** Turns a parser's IllegalArgumentException (a message naming the value) into a user error. */
    static <T> T user(java.util.function.Supplier<T> parse) {
        return user(null, parse);
    }

    /** As {@link #user(java.util.function.Supplier)}, naming {@code option} unless the message already does. */
    static <T> T user(String option, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new UsageException(option == null || m.contains(option) ? m : option + ": " + m);
        }
    }
}
