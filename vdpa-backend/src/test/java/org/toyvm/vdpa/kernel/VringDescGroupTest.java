package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.parent.VdpaParents;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * VHOST_VDPA_GET_VRING_DESC_GROUP (vhost_vdpa_vring_ioctl, 6.7+) and mlx5_vdpa's groups and address
 * spaces from 6.7 (MLX5_VDPA_NUMVQ_GROUPS 3, MLX5_VDPA_NUM_AS 2, mlx5_vdpa_get_vq_desc_group). The
 * fixture's device has one queue pair: virtqueues 0 and 1 are data, 2 is the control queue.
 */
class VringDescGroupTest {
    private static final long MIB = 1L << 20;
    private static final int CVQ = 2;

    private static KernelFixture mlx5(KernelVersion v) {
        return new KernelFixture(v, ParentKind.MLX5, MIB);
    }

    @Test
    void mlx5From67AnswersTheDescGroupWithoutDescAsidAcked() {
        for (KernelVersion v : KernelVersion.values()) {
            if (!v.hasDescAsid()) {
                continue;
            }
            KernelFixture k = mlx5(v);
            assertEquals(0, k.dev.ackedBackendFeatures(), "nothing acked: vhost_vdpa_has_desc_group only asks for the op");
            assertEquals(IoctlResult.ok(2), k.dev.getVringDescGroup(0), v + ": rx's rings in MLX5_VDPA_DATAVQ_DESC_GROUP");
            assertEquals(IoctlResult.ok(2), k.dev.getVringDescGroup(1), v + ": tx likewise");
            assertEquals(IoctlResult.ok(1), k.dev.getVringDescGroup(CVQ), v + ": the control queue keeps MLX5_VDPA_CVQ_GROUP");
            assertEquals(IoctlResult.ok(0), k.dev.getVringGroup(0), v + ": the buffers stay in MLX5_VDPA_DATAVQ_GROUP");
            assertEquals(IoctlResult.ok(3), k.dev.getGroupNum(), v + ": MLX5_VDPA_NUMVQ_GROUPS");
            assertEquals(IoctlResult.ok(2), k.dev.getAsNum(), v + ": MLX5_VDPA_NUM_AS");
            assertTrue((k.dev.offeredBackendFeatures() & VhostUapi.bit(VhostUapi.F_DESC_ASID)) != 0, v + ": DESC_ASID offered");
        }
    }

    @Test
    void beforeThe67SeriesTheIoctlIsUnknownAndMlx5HasTwoGroups() {
        for (KernelVersion v : new KernelVersion[] {KernelVersion.V6_1, KernelVersion.V6_6}) {
            KernelFixture k = mlx5(v);
            assertEquals(Errno.ENOTTY, k.dev.getVringDescGroup(0).errno(), v + ": vhost_vring_ioctl's -ENOIOCTLCMD");
            assertEquals(Errno.ENOBUFS, k.dev.getVringDescGroup(3).errno(), v + ": the vring index is checked first");
            assertEquals(IoctlResult.ok(2), k.dev.getGroupNum(), v + ": MLX5_VDPA_NUMVQ_GROUPS was 2");
            assertEquals(Errno.EINVAL, k.dev.setGroupAsid(2, 1).errno(), v + ": no group 2 (mlx5_set_group_asid)");
        }
    }

    @Test
    void entryChecksComeFirstInTheKernelsOrder() {
        KernelFixture k = mlx5(KernelVersion.V6_12);
        assertEquals(Errno.ENOBUFS, k.dev.getVringDescGroup(3).errno(), "idx >= nvqs");
        assertEquals(Errno.ENOBUFS, k.dev.getVringDescGroup(-1).errno(), "u32 0xffffffff");
        k.dev.close();
        assertEquals(Errno.EINVAL, k.dev.getVringDescGroup(0).errno(), "closed fd");
        k.dev.open();
        assertEquals(Errno.EPERM, k.dev.getVringDescGroup(0).errno(), "vhost_dev_ioctl: not the owner");
        assertEquals(Errno.EPERM, k.dev.getVringDescGroup(3).errno(), "the owner check before the index check");
        k.dev.setOwner();
        assertEquals(IoctlResult.ok(2), k.dev.getVringDescGroup(0));
    }

    @Test
    void vdpaSimHasNoDescGroupOp() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_12, ParentKind.VDPA_SIM, MIB);
        assertEquals(Errno.EOPNOTSUPP, k.dev.getVringDescGroup(0).errno());
        assertEquals(Errno.ENOBUFS, k.dev.getVringDescGroup(3).errno(), "the index before the op");
        assertEquals(IoctlResult.ok(2), k.dev.getGroupNum(), "vdpa_sim_net keeps its 2 groups");
        assertEquals(0, k.dev.offeredBackendFeatures() & VhostUapi.bit(VhostUapi.F_DESC_ASID));
    }

    @Test
    void theDescGroupCanJoinAddressSpaceOneButThereIsNoAddressSpaceTwo() {
        KernelFixture k = mlx5(KernelVersion.V6_7);
        assertEquals(Errno.EINVAL, k.dev.setGroupAsid(2, 2).errno(), "s.num >= vdpa->nas (MLX5_VDPA_NUM_AS = 2)");
        assertEquals(Errno.OK, k.dev.setGroupAsid(2, 1).errno());
        assertEquals(1, k.hw.groupAsid[2], "the data queues' rings now in address space 1");
        assertEquals(0, k.hw.groupAsid[0], "their buffers still in 0");
        assertEquals(Errno.ENOBUFS, k.dev.setGroupAsid(3, 0).errno(), "group 3 is past the vring index check");
    }

    @Test
    void hardwareWithoutTheCapabilityHasNoOp() {
        // mlx5v_probe clears get_vq_desc_group without desc_group_mkey_supported: the hardware says no.
        FakeNetHardware noCap = new FakeNetHardware();
        noCap.descGroupCapable = false;
        VdpaParent p = VdpaParents.create(ParentKind.MLX5, noCap, KernelVersion.V6_12,
                new CostMeter(CostProfile.defaults()), new KernelCounters());
        assertFalse(p.hasDescGroup());
        assertEquals(2, p.numGroups());
    }
}
