package org.toyvm.vdpa.parent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.kernel.FakeNetHardware;

/**
 * mlx5 suspend and resume are charged per virtqueue they walk: serial before 6.12 (one firmware
 * modify/query after another), one parallel batch from 6.12, calibrated so that the published
 * 1 device × 32 virtqueues costs 37 / 16 ms serial and 2.5 / 5 ms parallel.
 */
class Mlx5VirtqueueCostTest {
    private static final int RUNNING = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
            | VirtioStatus.DRIVER_OK;
    private static final long MS = 1_000_000L;

    /** What one SUSPEND and one RESUME of a running device with {@code pairs} enabled pairs cost. */
    private static long[] suspendAndResume(KernelVersion v, int pairs, int enabledPairs) {
        CostMeter meter = new CostMeter(CostProfile.defaults());
        VdpaParent p = VdpaParents.create(ParentKind.MLX5, new FakeNetHardware(pairs), v, meter, new KernelCounters());
        for (int vq = 0; vq <= 2 * pairs; vq++) {
            p.hardware().setVqNum(vq, 256);
        }
        p.hardware().setStatus(RUNNING);
        for (int vq = 0; vq < 2 * enabledPairs; vq++) {
            p.hardware().setVqReady(vq, true);
        }
        p.hardware().setVqReady(2 * pairs, true); // the CVQ: software, never walked
        long t0 = meter.total();
        p.suspend();
        long t1 = meter.total();
        p.resume();
        return new long[] {t1 - t0, meter.total() - t1};
    }

    @Test
    void thirtyTwoVirtqueuesCostThePublishedFigures() {
        long[] serial = suspendAndResume(KernelVersion.V6_11, 16, 16);
        assertEquals(37 * MS, serial[0], "mlx5_vdpa_suspend before the series: 37 ms for 32 VQs");
        assertEquals(16 * MS, serial[1], "mlx5_vdpa_resume before it: 16 ms");
        long[] parallel = suspendAndResume(KernelVersion.V6_12, 16, 16);
        assertEquals(2.5 * MS, parallel[0], 100, "after: 2.5 ms");
        assertEquals(5 * MS, parallel[1], 100, "after: 5 ms");
    }

    @Test
    void onePairCostsASixteenthOfThePublishedSerialFigure() {
        long[] serial = suspendAndResume(KernelVersion.V6_1, 1, 1);
        assertEquals(2 * 1_156_250L, serial[0], "2 VQs × 37/32 ms");
        assertEquals(2 * 500_000L, serial[1], "2 VQs × 16/32 ms");
        long[] parallel = suspendAndResume(KernelVersion.V6_12, 1, 1);
        assertEquals(1_156_250L + 43_347L, parallel[0], "one batch and one further VQ");
        assertEquals(500_000L + 145_161L, parallel[1]);
        assertTrue(parallel[0] < serial[0] && parallel[1] < serial[1], "parallel never dearer than serial for 2 VQs");
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void serialGrowsLinearlyParallelBarely(KernelVersion v) {
        long[] two = suspendAndResume(v, 1, 1);
        long[] thirtyTwo = suspendAndResume(v, 16, 16);
        if (v.mlx5ParallelMkeys()) {
            assertTrue(thirtyTwo[0] < 3 * two[0], v + ": 16x the VQs, not even 3x the suspend");
            assertTrue(thirtyTwo[1] < 8 * two[1], v + ": 16x the VQs, under 8x the resume");
        } else {
            assertEquals(16 * two[0], thirtyTwo[0], v + ": one VQ after another");
            assertEquals(16 * two[1], thirtyTwo[1]);
        }
    }

    @Test
    void onlyTheEnabledDataQueuesAreWalked() {
        // 8 pairs set up, 2 enabled: cur_num_vqs = 4 (VQ_PAIRS_SET 2), the others never went RDY.
        assertEquals(4 * 1_156_250L, suspendAndResume(KernelVersion.V6_8, 8, 2)[0]);
        assertEquals(0, suspendAndResume(KernelVersion.V6_8, 8, 0)[0], "nothing RDY: nothing to suspend");
        assertEquals(0, suspendAndResume(KernelVersion.V6_12, 8, 0)[0], "an empty batch costs nothing");
    }

    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_11", "V6_12"})
    void driverOkResumesCurNumVqsTwoWhateverThePairs(KernelVersion v) {
        long one = driverOkCost(v, 1);
        assertEquals(one, driverOkCost(v, 8), v + ": cur_num_vqs is 2 until VQ_PAIRS_SET");
        CostProfile d = CostProfile.defaults();
        assertEquals(v.mlx5ParallelMkeys() ? d.parallelResumeNs(2) : 2 * d.resumeVqSerialNs(), one);
    }

    @Test
    void driverOkCreatesEverySizedDataQueueBefore611() {
        assertEquals(16 * 11_600_000L, driverOkCost(KernelVersion.V6_8, 8), "16 data VQs; the CVQ is software");
    }

    private static long driverOkCost(KernelVersion v, int pairs) {
        CostMeter meter = new CostMeter(CostProfile.defaults());
        VdpaParent p = VdpaParents.create(ParentKind.MLX5, new FakeNetHardware(pairs), v, meter, new KernelCounters());
        for (int vq = 0; vq <= 2 * pairs; vq++) {
            p.hardware().setVqNum(vq, 256);
        }
        p.hardware().setStatus(RUNNING);
        return meter.total();
    }
}
