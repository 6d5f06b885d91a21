package org.toyvm.vm.experiment;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.MemoryBackend;
import org.toyvm.core.units.Durations;
import org.toyvm.core.units.Sizes;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.guest.ToyGuest;
import org.toyvm.vm.stack.Addressing;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.NicAddressing;

/**
 * Every option of a run (docs/DESIGN.md §4), resolved. Durations in nanoseconds. {@code qemu} is the
 * QEMU release whose vhost-vdpa order the frontend follows (last, so that the constructor without it
 * keeps meaning the newest).
 */
public record RunConfig(
        long memoryBytes,
        KernelVersion kernel,
        ParentSpec parent,
        ResetPolicy policy,
        int reboots,
        long pingIntervalNs,
        CostProfile costs,
        String costProfileName,
        ClockMode clock,
        String netdev,
        MacAddress mac,
        Ipv4Cidr ip,
        Ipv4Address peerIp,
        long warmupNs,
        long settleNs,
        long timeoutNs,
        long durationNs,
        long seed,
        QemuVersion qemu,
        Optional<MemoryBackend> memoryBackend,
        NetTopology net) {

    /** A run of one NIC with one queue pair ({@link NetTopology#SINGLE}). */
    public RunConfig(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy, int reboots,
            long pingIntervalNs, CostProfile costs, String costProfileName, ClockMode clock, String netdev,
            MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long warmupNs, long settleNs, long timeoutNs,
            long durationNs, long seed, QemuVersion qemu, Optional<MemoryBackend> memoryBackend) {
        this(memoryBytes, kernel, parent, policy, reboots, pingIntervalNs, costs, costProfileName, clock, netdev, mac,
                ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, qemu, memoryBackend, NetTopology.SINGLE);
    }

    /** A run whose guest RAM is mapped without a backend (as before {@code --memory-backend}). */
    public RunConfig(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy, int reboots,
            long pingIntervalNs, CostProfile costs, String costProfileName, ClockMode clock, String netdev,
            MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long warmupNs, long settleNs, long timeoutNs,
            long durationNs, long seed, QemuVersion qemu) {
        this(memoryBytes, kernel, parent, policy, reboots, pingIntervalNs, costs, costProfileName, clock, netdev, mac,
                ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, qemu, Optional.empty());
    }

    public RunConfig {
        Objects.requireNonNull(memoryBackend, "memoryBackend");
        Objects.requireNonNull(net, "net");
    }

    /** The machine this run builds. */
    public MachineConfig machine() {
        return new MachineConfig(memoryBytes, kernel, parent, policy, costs, mac, qemu, memoryBackend, net);
    }

    /** A run on the newest QEMU ({@link QemuVersion#newest()}). */
    public RunConfig(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy, int reboots,
            long pingIntervalNs, CostProfile costs, String costProfileName, ClockMode clock, String netdev,
            MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long warmupNs, long settleNs, long timeoutNs,
            long durationNs, long seed) {
        this(memoryBytes, kernel, parent, policy, reboots, pingIntervalNs, costs, costProfileName, clock, netdev, mac,
                ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, QemuVersion.newest());
    }

    /** A run on the newest QEMU with the parent as its module ships ({@link ParentSpec#shipped}). */
    public RunConfig(long memoryBytes, KernelVersion kernel, ParentKind parent, ResetPolicy policy, int reboots,
            long pingIntervalNs, CostProfile costs, String costProfileName, ClockMode clock, String netdev,
            MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long warmupNs, long settleNs, long timeoutNs,
            long durationNs, long seed) {
        this(memoryBytes, kernel, ParentSpec.shipped(parent), policy, reboots, pingIntervalNs, costs, costProfileName,
                clock, netdev, mac, ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed);
    }

    /** The embedded default: 8 GiB, kernel 6.12 (the newest), mlx5, persist, in-process peer, virtual clock. */
    public static RunConfig defaults() {
        return new RunConfig(8L << 30, KernelVersion.V6_12, ParentSpec.shipped(ParentKind.MLX5), ResetPolicy.PERSIST,
                1, 10_000_000L, CostProfile.defaults(), "default", ClockMode.VIRTUAL, "local", MacAddress.parse("52:54:00:12:34:56"),
                Ipv4Cidr.parse("192.168.77.2/24"), Ipv4Address.parse("192.168.77.1"), 1_000_000_000L,
                1_000_000_000L, 60_000_000_000L, 5_000_000_000L, 1);
    }

    /**
     * Refuses a configuration no run should start with, in one line naming the options and why: a
     * guest the pc machine cannot address, RAM outside the device's IOVA range, or addresses no
     * network could have ({@link Addressing}). Every command checks each configuration it will run
     * (matrix and sweep: every cell and point) before the first one starts.
     *
     * @throws IllegalArgumentException the one-line reason
     */
    public void check() {
        try {
            MachineConfig.checkMemory(memoryBytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad --memory " + Sizes.format(memoryBytes) + ": " + e.getMessage());
        }
        checkIovaRange(memoryBytes, parent.kind());
        memoryBackend.ifPresent(b -> checkRuns(memoryBytes, b, parent, kernel));
        checkGuestLayout(memoryBytes, net);
        if (net.nics() > 1 && clock == ClockMode.REAL) {
            // LiveRun drives one NIC against one real peer (a socket or a tap of its own).
            throw new IllegalArgumentException("--nics " + net.nics() + " with --clock real: a live run drives one NIC"
                    + " against one outside peer; several NICs run on the virtual clock only");
        }
        Addressing.check(mac, ip, peerIp, "local".equals(netdev) ? Addressing.IN_PROCESS_PEER_MAC : null);
        if (net.nics() > 1) {
            NicAddressing.all(net.nics(), mac, ip, peerIp, Addressing.IN_PROCESS_PEER_MAC);
        }
        requireRepresentable();
    }

    /**
     * Guest RAM must lie inside the IOVA range of the parent's vhost-vdpa device. QEMU's
     * vhost_vdpa_listener_skipped_section (hw/virtio/vhost-vdpa.c) reports a section that does not,
     * "RAM section out of device range (max=0x…, end addr=0x…)", and vhost_vdpa_listener_region_add
     * then leaves it unmapped: the guest runs with RAM its device cannot reach, and a measurement of
     * it means nothing. toyvm refuses the configuration before the run instead.
     */
    public static void checkIovaRange(long memoryBytes, ParentKind parent) {
        AddrRange iova = Machine.iovaRange(parent);
        for (AddrRange ram : Machine.ramRanges(memoryBytes)) {
            if (Long.compareUnsigned(ram.start(), iova.start()) < 0 || Long.compareUnsigned(ram.last(), iova.last()) > 0) {
                long fit = Long.compareUnsigned(iova.last(), Machine.FOUR_G) < 0 ? 0
                        : iova.last() + 1 - (Machine.FOUR_G - Machine.BELOW_4G_MAX);
                throw new IllegalArgumentException(String.format(Locale.ROOT, "bad --memory %s with --parent %s: RAM"
                        + " at 0x%x..0x%x is outside the device's IOVA range 0x%x..0x%x (QEMU's vhost-vdpa would leave"
                        + " it unmapped: \"RAM section out of device range\"); this parent takes at most %s",
                        Sizes.format(memoryBytes), parent, ram.start(), ram.last(), iova.start(), iova.last(),
                        Sizes.format(fit)));
            }
        }
    }

    /**
     * The toy guest's rings and buffers of every NIC and queue pair lie in RAM below 4G, one layout per
     * NIC at {@link ToyGuest#layoutStride} apart: a guest too small for them is refused naming the
     * options (16 pairs take 22 MiB per NIC).
     */
    static void checkGuestLayout(long memoryBytes, NetTopology net) {
        long end = ToyGuest.layoutOf(net.nics() - 1, net.queuePairs()).end(net.queuePairs()).value();
        long below4g = Math.min(memoryBytes, Machine.BELOW_4G_MAX);
        if (end > below4g) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "bad --memory %s with --nics %d --queues %d:"
                    + " the guest's rings and buffers for every NIC and queue pair end at 0x%x, past its RAM below 4G"
                    + " (0x%x); give it at least %s", Sizes.format(memoryBytes), net.nics(), net.queuePairs(), end,
                    below4g, Sizes.format(((end + (64L << 20) - 1) / (64L << 20)) * (64L << 20))));
        }
    }

    /**
     * The most physically contiguous runs the model maps for one device in PA mode: it keeps one IOTLB
     * entry per run, as vhost_vdpa_pa_map does, and a table of more entries than this would not run in
     * seconds. The kernel has no such limit (vhost-vdpa's tables are unbounded); it is the model's.
     */
    public static final long MAX_PA_RUNS = 1L << 20;

    /**
     * Refuses a PA-mode guest whose backend would need more than {@link #MAX_PA_RUNS} IOTLB entries
     * (e.g. 128G of 4 KiB memfd pages), naming a backend with bigger pages. VA mode makes one entry per
     * VMA whatever the page size, so it takes any size.
     */
    public static void checkRuns(long memoryBytes, MemoryBackend backend, ParentSpec parent, KernelVersion kernel) {
        long runs = memoryBytes / backend.pageSize();
        if (!parent.usesVa(kernel) && runs > MAX_PA_RUNS) {
            String which = backend == BackendChoice.defaultFor(parent, kernel) ? "--memory-backend " + backend.label()
                    + " (the default for a PA-mode parent)" : "--memory-backend " + backend.label();
            throw new IllegalArgumentException(String.format(Locale.ROOT, "bad --memory %s with %s:"
                    + " %d pages of %s would be %d IOTLB entries per device in PA mode (--parent %s), above the"
                    + " model's %d; take a backend with bigger pages (--memory-backend hugetlb-1G) or less memory",
                    Sizes.format(memoryBytes), which, runs, Sizes.format(backend.pageSize()), runs,
                    parent.label(), MAX_PA_RUNS));
        }
    }

    /**
     * A warning when guest RAM is on a private backend and the parent maps user addresses (VA mode):
     * vhost_vdpa_va_map skips every VMA that is not a shared file mapping, so the run is faithful but
     * the device has no entry for guest RAM and the guest gets no connectivity.
     */
    public Optional<String> memoryBackendWarning() {
        return memoryBackend.filter(b -> !b.sharedFileBacked() && parent.usesVa(kernel)).map(b -> "--memory-backend "
                + b.label() + " is private anonymous memory and --parent " + parent.label() + " on kernel "
                + kernel.label() + " maps user addresses (VA mode): vhost_vdpa_va_map maps only shared file-backed"
                + " VMAs, so guest RAM gets no IOTLB entry and the device cannot reach it; QEMU users of a VA-mode"
                + " parent back guest RAM with memfd or hugetlb (share=on)");
    }

    public long bootNs() {
        return costs.guestBootNs();
    }

    /** As {@link #with(KernelVersion, ParentSpec, ResetPolicy)} with the parent as its module ships. */
    public RunConfig with(KernelVersion k, ParentKind p, ResetPolicy pol) {
        return with(k, ParentSpec.shipped(p), pol);
    }

    public RunConfig with(KernelVersion k, ParentSpec p, ResetPolicy pol) {
        return new RunConfig(memoryBytes, k, p, pol, reboots, pingIntervalNs, costs, costProfileName, clock, netdev,
                mac, ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, qemu, memoryBackend, net);
    }

    public RunConfig withMemory(long bytes) {
        return new RunConfig(bytes, kernel, parent, policy, reboots, pingIntervalNs, costs, costProfileName, clock,
                netdev, mac, ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, qemu, memoryBackend, net);
    }

    public RunConfig withMemory(long bytes, ResetPolicy pol) {
        return new RunConfig(bytes, kernel, parent, pol, reboots, pingIntervalNs, costs, costProfileName, clock,
                netdev, mac, ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, qemu, memoryBackend, net);
    }

    /** The same run on another QEMU release. */
    public RunConfig withQemu(QemuVersion q) {
        return new RunConfig(memoryBytes, kernel, parent, policy, reboots, pingIntervalNs, costs, costProfileName, clock,
                netdev, mac, ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, q, memoryBackend, net);
    }

    /** The same run with guest RAM on {@code backend}. */
    public RunConfig withMemoryBackend(MemoryBackend backend) {
        return new RunConfig(memoryBytes, kernel, parent, policy, reboots, pingIntervalNs, costs, costProfileName,
                clock, netdev, mac, ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, qemu,
                Optional.of(backend), net);
    }

    /**
     * The same run with guest RAM on the backend {@code choice} names, or on the default of this run's
     * parent and kernel ({@link BackendChoice#defaultFor}): set the kernel and parent first.
     */
    public RunConfig withMemoryBackend(BackendChoice choice) {
        return withMemoryBackend(choice.resolve(parent, kernel));
    }

    /**
     * Why guest RAM is on its backend, for the run's header: the parent's default (and why that is the
     * default) or the user's {@code --memory-backend}; empty for a run without a backend (the model
     * before backends: one contiguous block).
     */
    public Optional<String> memoryBackendWhy() {
        return memoryBackend.map(b -> b == BackendChoice.defaultFor(parent, kernel)
                ? BackendChoice.defaultReason(parent, kernel) : "--memory-backend");
    }

    /** The same run with another NIC topology ({@code --nics}, {@code --queues}, {@code --memlock}). */
    public RunConfig withNet(NetTopology n) {
        return new RunConfig(memoryBytes, kernel, parent, policy, reboots, pingIntervalNs, costs, costProfileName, clock,
                netdev, mac, ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, qemu, memoryBackend, n);
    }

    public RunConfig withReboots(int n) {
        return new RunConfig(memoryBytes, kernel, parent, policy, n, pingIntervalNs, costs, costProfileName, clock,
                netdev, mac, ip, peerIp, warmupNs, settleNs, timeoutNs, durationNs, seed, qemu, memoryBackend, net);
    }

    /**
     * The latest clock time a run with this configuration can reach, checked: first boot and first
     * reply (a timeout each), the warm-up, then per reboot a timeout and the settle time, plus the
     * boot time and the 1 s quiesce. Runs saturate instead of wrapping whatever the values, but a run
     * whose schedule does not fit the 64-bit nanosecond clock cannot be measured, so the CLI refuses it
     * with this method before the run.
     *
     * @throws Durations.ClockOverflowException (an IllegalArgumentException) naming the options
     */
    public long requireRepresentable() {
        String what = "the run's schedule (--timeout, --warmup, --settle, --boot-time, --duration; " + reboots
                + (reboots == 1 ? " reboot)" : " reboots)");
        long perReboot = Durations.addChecked(timeoutNs, settleNs, what);
        long end = Durations.multiplyChecked(reboots, perReboot, what);
        end = Durations.addChecked(end, Durations.multiplyChecked(2, timeoutNs, what), what);
        end = Durations.addChecked(end, warmupNs, what);
        end = Durations.addChecked(end, reboots == 0 ? durationNs : 0, what);
        end = Durations.addChecked(end, bootNs(), what);
        return Durations.addChecked(end, 1_000_000_000L, what);
    }

    /** Every option, for the report. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memory", Sizes.format(memoryBytes));
        m.put("memory_bytes", memoryBytes);
        memoryBackend.ifPresent(b -> m.put("memory_backend", b.label()));
        memoryBackendWhy().ifPresent(w -> m.put("memory_backend_why", w));
        m.put("kernel", kernel.label());
        m.put("parent", parent.label());
        m.put("policy", policy.label());
        m.put("qemu", qemu.label());
        m.put("nics", net.nics());
        m.put("queue_pairs", net.queuePairs());
        m.put("memlock_bytes", net.memlockLimit(memoryBytes));
        m.put("reboots", reboots);
        m.put("ping_interval_ms", Durations.toMillis(pingIntervalNs));
        m.put("boot_time_ms", Durations.toMillis(bootNs()));
        m.put("cost_profile", costProfileName);
        m.put("costs", costs.describe());
        m.put("clock", clock.label());
        m.put("netdev", netdev);
        m.put("mac", mac.toString());
        m.put("ip", ip.toString());
        m.put("peer_ip", peerIp.toString());
        m.put("warmup_ms", Durations.toMillis(warmupNs));
        m.put("settle_ms", Durations.toMillis(settleNs));
        m.put("timeout_ms", Durations.toMillis(timeoutNs));
        m.put("duration_ms", Durations.toMillis(durationNs));
        m.put("seed", seed);
        return m;
    }
}
