package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.report.RunReport;

/**
 * A reboot's vCPU freeze follows mlx5's per-virtqueue suspend/resume: on 6.8 every data virtqueue
 * is suspended one after another at the stop and created at DRIVER_OK, so the freeze grows with
 * {@code --queues}; on 6.12 the VQs are pre-created, resumed by VQ_PAIRS_SET and suspended in one
 * parallel batch each, so eight pairs freeze the vCPU a few milliseconds longer than one.
 */
class VirtqueueCostRunTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private static double freezeMs(KernelVersion k, int pairs) {
        RunConfig c = MeasurementTest.cfg(CostProfile.defaults().withGuestBootNs(50 * MS), 1, 10 * MS, 200 * MS,
                60 * S).with(k, ParentKind.MLX5, ResetPolicy.PERSIST).withNet(NetTopology.SINGLE.withQueuePairs(pairs));
        c.check();
        RunReport r = new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT).run().report();
        assertNull(r.summary().failure());
        assertTrue(r.reboots().get(0).restored(), r.reboots().get(0).explanation());
        return r.reboots().get(0).vcpuFreezeMs();
    }

    @Test
    void theFreezeGrowsWithTheQueuesOn68NotOn612() {
        double one68 = freezeMs(KernelVersion.V6_8, 1);
        double eight68 = freezeMs(KernelVersion.V6_8, 8);
        double one612 = freezeMs(KernelVersion.V6_12, 1);
        double eight612 = freezeMs(KernelVersion.V6_12, 8);
        // 6.8: 14 more data VQs, each suspended (37/32 ms) and created at DRIVER_OK (11.6 ms).
        assertEquals(14 * (1.15625 + 11.6), eight68 - one68, 1.0, one68 + " -> " + eight68);
        // 6.12: 14 more VQs in the stop's parallel suspend batch (43 us each); DRIVER_OK resumes cur_num_vqs = 2
        // and the guest's VQ_PAIRS_SET 8 (shadowed CVQ, in a vCPU exit) resumes the other 14 in one batch
        // (change_num_qps → resume_vqs), which a 1-pair guest never sends.
        double pairsSet612 = CostProfile.defaults().parallelResumeNs(14) / (double) MS;
        assertTrue(eight612 - one612 > pairsSet612, one612 + " -> " + eight612 + " includes " + pairsSet612);
        assertTrue(eight612 - one612 - pairsSet612 < 2.0, one612 + " -> " + eight612);
        assertTrue(eight68 > 10 * eight612, eight68 + " vs " + eight612);
    }
}
