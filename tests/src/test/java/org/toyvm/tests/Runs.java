package org.toyvm.tests;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.experiment.ClockMode;
import org.toyvm.vm.experiment.RebootExperiment;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;

/** Configurations for the end-to-end tests, built as the CLI builds them. */
final class Runs {
    private Runs() {
    }

    static RunConfig config(long memory, KernelVersion k, ParentKind p, ResetPolicy pol, int reboots, CostProfile costs,
            long warmupNs, long settleNs, long timeoutNs) {
        return new RunConfig(memory, k, p, pol, reboots, 10_000_000L, costs, costs.name(), ClockMode.VIRTUAL, "local",
                MacAddress.parse("52:54:00:12:34:56"), Ipv4Cidr.parse("192.168.77.2/24"),
                Ipv4Address.parse("192.168.77.1"), warmupNs, settleNs, timeoutNs, 5_000_000_000L, 1);
    }

    static RunConfig defaults(long memory, ResetPolicy pol, long timeoutNs) {
        return config(memory, KernelVersion.V6_7, ParentKind.MLX5, pol, 1, CostProfile.defaults(), 1_000_000_000L,
                1_000_000_000L, timeoutNs);
    }

    static RebootExperiment.Outcome run(RunConfig cfg) {
        return run(cfg, PooledByteBufAllocator.DEFAULT, RebootExperiment.Inspector.NONE);
    }

    static RebootExperiment.Outcome run(RunConfig cfg, ByteBufAllocator alloc, RebootExperiment.Inspector inspector) {
        return new RebootExperiment(cfg, IotlbTraceSink.NONE, alloc, inspector).run();
    }
}
