package org.toyvm.vm.bench;

import io.netty.buffer.PooledByteBufAllocator;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.experiment.ClockMode;
import org.toyvm.vm.experiment.RebootExperiment;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;

/**
 * A whole virtual run with one legacy reboot (6.7, mlx5: everything unmapped and mapped again), at a
 * given guest size, pinging once a minute so that the traffic hardly differs between sizes (a 4 TiB
 * legacy reboot lasts minutes of virtual time, a 1 GiB one seconds) and the wall time shows the
 * control-plane bookkeeping, which is per range, never per page. Guest RAM is the model's single
 * contiguous block (a RunConfig without {@code --memory-backend}), so every size has the same few
 * ranges and the ratio isolates the per-page question; with a backend the number of ranges itself
 * grows with the size (hugetlb-1G: one per GiB), which this workload does not measure.
 */
public final class RebootWorkload {
    private final RunConfig cfg;

    public RebootWorkload(long memoryBytes) {
        this(new RunConfig(memoryBytes, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.LEGACY, 1, 60_000_000_000L,
                CostProfile.defaults(), "default", ClockMode.VIRTUAL, "local", MacAddress.parse("52:54:00:12:34:56"),
                Ipv4Cidr.parse("192.168.77.2/24"), Ipv4Address.parse("192.168.77.1"), 1_000_000_000L, 1_000_000_000L,
                3_600_000_000_000L, 0, 1));
    }

    private RebootWorkload(RunConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * What {@code ./toyvm run --memory SIZE --timeout 3600s} runs (persist, mlx5, 6.12, pings every
     * 10 ms) but on the single-block guest RAM (see the class comment): the whole run in-process, for the goal that a 32 TiB persist run costs about what an
     * 8 GiB one does (the hour of timeout lets the first boot pin 32 TiB).
     */
    public static RebootWorkload persistRun(long memoryBytes) {
        RunConfig d = RunConfig.defaults();
        return new RebootWorkload(new RunConfig(memoryBytes, d.kernel(), d.parent(), d.policy(), d.reboots(),
                d.pingIntervalNs(), d.costs(), d.costProfileName(), d.clock(), d.netdev(), d.mac(), d.ip(), d.peerIp(),
                d.warmupNs(), d.settleNs(), 3_600_000_000_000L, d.durationNs(), d.seed()));
    }

    /** The same workload with the frontend of QEMU release {@code q}. */
    public RebootWorkload on(QemuVersion q) {
        return new RebootWorkload(cfg.withQemu(q));
    }

    public RunReport run() {
        RunReport r = new RebootExperiment(cfg, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT).run().report();
        if (r.summary().restored() != 1) {
            throw new IllegalStateException("benchmark reboot did not restore connectivity: " + r.summary());
        }
        return r;
    }
}
