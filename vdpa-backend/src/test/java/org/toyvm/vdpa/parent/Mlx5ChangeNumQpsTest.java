package org.toyvm.vdpa.parent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.kernel.FakeNetHardware;

/**
 * A VQ_PAIRS_SET the device applied costs what mlx5_vnet.c {@code change_num_qps} does to the
 * hardware virtqueues of the kernel generation: 6.11 resumes / suspends the pre-created VQs one by
 * one, 6.12 in one parallel batch; before 6.11 every sized VQ was created at DRIVER_OK so a grow
 * only re-creates what a shrink tore down ({@code teardown_vq}: a serial suspend, then destroy).
 */
class Mlx5ChangeNumQpsTest {
    private static final int RUNNING = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
            | VirtioStatus.DRIVER_OK;
    private static final int PAIRS = 8;
    private static final CostProfile COSTS = CostProfile.defaults();

    private final CostMeter meter = new CostMeter(COSTS);
    private final FakeNetHardware hw = new FakeNetHardware(PAIRS);

    /** A running device of 8 pairs, every queue sized and enabled (as the toy guest and QEMU set it up). */
    private VdpaParent running(ParentKind kind, KernelVersion v) {
        VdpaParent p = VdpaParents.create(kind, hw, v, meter, new KernelCounters());
        for (int vq = 0; vq <= 2 * PAIRS; vq++) {
            p.hardware().setVqNum(vq, 256);
            p.hardware().setVqReady(vq, true);
        }
        p.hardware().setStatus(RUNNING);
        return p;
    }

    private long costOf(int from, int to) {
        long t0 = meter.total();
        hw.applyPairs(from, to);
        return meter.total() - t0;
    }

    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_11", "V6_12"})
    void growingOneToEightResumesFourteenPrecreatedVqs(KernelVersion v) {
        running(ParentKind.MLX5, v);
        long resumes0 = meter.total(CostKind.RESUME_VQ_SERIAL) + meter.total(CostKind.RESUME_BATCH)
                + meter.total(CostKind.RESUME_VQ);
        long cost = costOf(1, 8);
        assertEquals(v.mlx5ParallelMkeys() ? COSTS.parallelResumeNs(14) : 14 * COSTS.resumeVqSerialNs(), cost,
                v + ": resume_vq / resume_vqs over VQs 2..15");
        assertEquals(resumes0 + cost, meter.total(CostKind.RESUME_VQ_SERIAL) + meter.total(CostKind.RESUME_BATCH)
                + meter.total(CostKind.RESUME_VQ), "all of it resume");
        assertEquals(0, meter.total(CostKind.VQ_CREATE), "pre-created: nothing created");
    }

    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_11", "V6_12"})
    void shrinkingEightToOneSuspendsFourteen(KernelVersion v) {
        running(ParentKind.MLX5, v);
        long grow = costOf(1, 8);
        long cost = costOf(8, 1);
        long expected = v.mlx5ParallelMkeys()
                ? COSTS.nanosPerUnit(CostKind.SUSPEND_BATCH) + 13 * COSTS.nanosPerUnit(CostKind.SUSPEND_VQ)
                : 14 * COSTS.nanosPerUnit(CostKind.SUSPEND_VQ_SERIAL);
        assertEquals(expected, cost);
        assertEquals(grow, costOf(1, 8), "suspended, not torn down: growing again resumes the same 14");
    }

    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_6", "V6_7", "V6_8"})
    void beforePrecreationGrowIsFreeUntilAShrinkTearsDown(KernelVersion v) {
        running(ParentKind.MLX5, v);
        long create0 = meter.total(CostKind.VQ_CREATE);
        assertEquals(16 * COSTS.nanosPerUnit(CostKind.VQ_CREATE), create0, "setup_driver created all 16 at DRIVER_OK");
        assertEquals(0, costOf(1, 8), "setup_vq returns early for initialized VQs; modify_rqt has no figure");
        assertEquals(14 * COSTS.nanosPerUnit(CostKind.SUSPEND_VQ_SERIAL), costOf(8, 1),
                "teardown_vq per removed VQ: suspend_vq one by one (destroy not charged)");
        assertEquals(14 * COSTS.nanosPerUnit(CostKind.VQ_CREATE), costOf(1, 8), "setup_vq re-creates the 14");
        assertEquals(12 * COSTS.nanosPerUnit(CostKind.SUSPEND_VQ_SERIAL), costOf(8, 2));
        assertEquals(2 * COSTS.nanosPerUnit(CostKind.VQ_CREATE), costOf(2, 3), "only the pair added is created");
        assertEquals(2 * COSTS.nanosPerUnit(CostKind.SUSPEND_VQ_SERIAL), costOf(3, 2));
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void theSameCountIsFree(KernelVersion v) {
        running(ParentKind.MLX5, v);
        assertEquals(0, costOf(1, 1));
        costOf(1, 8);
        assertEquals(0, costOf(8, 8), "handle_ctrl_mq: cur_num_vqs == 2 * newqps answers OK, nothing done");
    }

    @ParameterizedTest
    @EnumSource(value = ParentKind.class, names = {"VDPA_SIM", "PLATFORM"})
    void otherParentsChargeNothing(ParentKind kind) {
        for (KernelVersion v : new KernelVersion[] {KernelVersion.V6_1, KernelVersion.V6_12}) {
            FakeNetHardware h = new FakeNetHardware(PAIRS);
            CostMeter m = new CostMeter(COSTS);
            VdpaParent p = VdpaParents.create(kind, h, v, m, new KernelCounters());
            p.hardware().setStatus(RUNNING);
            long t0 = m.total();
            h.applyPairs(1, 8);
            h.applyPairs(8, 1);
            assertEquals(t0, m.total(), kind + " " + v);
        }
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void aStopAfterAShrinkWalksOnlyTheQueuesStillRunning(KernelVersion v) {
        VdpaParent p = running(ParentKind.MLX5, v);
        costOf(1, 8);
        costOf(8, 2);
        long t0 = meter.total();
        p.suspend();
        long expected = v.mlx5ParallelMkeys()
                ? COSTS.nanosPerUnit(CostKind.SUSPEND_BATCH) + 3 * COSTS.nanosPerUnit(CostKind.SUSPEND_VQ)
                : 4 * COSTS.nanosPerUnit(CostKind.SUSPEND_VQ_SERIAL);
        assertEquals(expected, meter.total() - t0, v + ": cur_num_vqs = 4 after VQ_PAIRS_SET 2");
    }

    @Test
    void theStopAfterwardsWalksTheQueuesTheCommandLeftRunning() {
        VdpaParent p = running(ParentKind.MLX5, KernelVersion.V6_11);
        costOf(1, 8);
        long t0 = meter.total();
        p.suspend();
        assertEquals(16 * COSTS.nanosPerUnit(CostKind.SUSPEND_VQ_SERIAL), meter.total() - t0);
    }
}
