package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.report.Json;

/**
 * Skipping the peer's ticks while the first DRIVER_OK is handled (the guest cannot answer then,
 * the NIC, not started before the mapping is done, drops every frame, and the peer already holds
 * every frame that could matter) is a shortcut in wall time
 * only: the run it gives is the run that simulates every tick, to the byte.
 */
class PeerQuietingTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void skippingThePeersTicksDuringTheFirstDriverOkChangesNothingInTheReport() {
        // 4 GiB legacy on mlx5: the first DRIVER_OK pins and maps for about 0.3 s, so with a 100 us
        // ping more than 2 × 1024 ticks fall inside it and a stretch is skipped. A short boot, warm-up
        // and settle keep the number of simulated pings (slow under the paranoid leak detector) small.
        RunConfig d = RunConfig.defaults();
        CostProfile costs = CostProfile.defaults().withGuestBootNs(20 * MS);
        RunConfig c = new RunConfig(4L << 30, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.LEGACY, 1, 100_000L,
                costs, costs.name(), ClockMode.VIRTUAL, "local", d.mac(), d.ip(), d.peerIp(), 10 * MS, 10 * MS,
                60 * S, S, 1);
        RebootExperiment quiet = new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT);
        RebootExperiment.Outcome q = quiet.run();
        RebootExperiment.Outcome full = new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT)
                .withoutQuieting().run();

        assertTrue(quiet.quietedNs() > 10 * MS, "a stretch of ticks was skipped: " + quiet.quietedNs() + " ns");
        assertEquals(1, q.report().summary().restored());
        Json json = new Json();
        assertEquals(json.line(full.report()), json.line(q.report()));
        assertEquals(json.line(full.timeline()), json.line(q.timeline()));
    }
}
