package org.toyvm.vdpa.parent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.Mlx5Options;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.kernel.FakeNetHardware;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostUapi;

/** mlx5_vdpa's DMA MR per address space and its costs per kernel generation. */
class Mlx5GenerationsTest {
    private static final int RUNNING = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
            | VirtioStatus.DRIVER_OK;
    private final KernelCounters counters = new KernelCounters();
    private final CostMeter meter = new CostMeter(CostProfile.defaults());

    private VdpaParent mlx5(KernelVersion v) {
        return VdpaParents.create(ParentKind.MLX5, new FakeNetHardware(), v, meter, counters);
    }

    private static VhostIotlb oneGib() {
        VhostIotlb t = new VhostIotlb();
        t.add(0, (1L << 30) - 1, 0x1_0000_0000L, VhostUapi.VHOST_ACCESS_RW);
        return t;
    }

    /**
     * Three queues with a size (one pair and the control queue; none ready yet, as with
     * ENABLE_AFTER_DRIVER_OK), then DRIVER_OK, then every queue enabled.
     */
    private static void start(VdpaParent p) {
        for (int vq = 0; vq < 3; vq++) {
            p.hardware().setVqNum(vq, 256);
        }
        p.hardware().setStatus(RUNNING);
        for (int vq = 0; vq < 3; vq++) {
            p.hardware().setVqReady(vq, true);
        }
    }

    private static MappingStyle.SetMapOps setMap(VdpaParent p) {
        return p.mappingStyle().fold(d -> null, MappingStyle.SetMap::ops, i -> null);
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void theDmaMrIsAddressSpaceZerosOnly(KernelVersion v) {
        VdpaParent p = mlx5(v);
        assertTrue(p.translation(0).find(Iova.of(0x1000)).identity(), "mlx5_vdpa_create_dma_mr: ASID 0");
        assertNull(p.translation(1).find(Iova.of(0x1000)), "ASID 1 starts with no MR");
        if (!v.mlx5MrPerAddressSpace()) {
            // Before 6.7 only an address space a group is bound to gets a translation (the CVQ's table copy).
            p.hardware().setGroupAsid(1, 1);
        }
        setMap(p).setMap(1, oneGib());
        assertFalse(p.translation(1).find(Iova.of(0x1000)).identity());
        p.compatReset(VhostUapi.VDPA_RESET_F_CLEAN_MAP);
        assertNull(p.translation(1).find(Iova.of(0x1000)), "a cleaned ASID 1 has no MR again");
        assertTrue(p.translation(0).find(Iova.of(0x1000)).identity());
        if (v.hasIotlbPersist()) {
            setMap(p).setMap(1, oneGib());
            assertEquals(Errno.OK, p.resetMap(1));
            assertNull(p.translation(1).find(Iova.of(0x1000)), "mlx5_vdpa_reset_mr: DMA MR only for asid 0");
        }
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void theCvqAddressSpaceGetsAnMkeyOnlyFrom67(KernelVersion v) {
        VdpaParent p = mlx5(v);
        p.hardware().setGroupAsid(1, 1); // MLX5_VDPA_CVQ_GROUP → ASID 1, as QEMU's SET_GROUP_ASID does
        long mrs = counters.get(KernelEvent.MR_BUILD);
        setMap(p).setMap(1, oneGib());
        assertEquals(v.mlx5MrPerAddressSpace() ? 1 : 0, counters.get(KernelEvent.MR_BUILD) - mrs,
                v + ": _mlx5_vdpa_create_mr before 6.7 only copies the CVQ's table (dup_iotlb)");
        assertFalse(p.translation(1).find(Iova.of(0x1000)).identity(), "the software CVQ reads through it");
        VdpaParent q = mlx5(v);
        setMap(q).setMap(1, oneGib());
        assertEquals(v.mlx5MrPerAddressSpace(), q.translation(1).find(Iova.of(0x1000)) != null,
                "an address space no group is bound to: nothing before 6.7");
    }

    @Test
    void driverOkCreatesTheQueuesBefore611AndResumesThemAfter() {
        VdpaParent p = mlx5(KernelVersion.V6_8);
        start(p);
        assertEquals(2, counters.get(KernelEvent.VQ_CREATE), "the data pair; the CVQ is mlx5's software queue");
        assertEquals(2 * 11_600_000L, meter.total(CostKind.VQ_CREATE));
        assertEquals(0, meter.total(CostKind.RESUME_VQ_SERIAL));

        CostMeter m611 = new CostMeter(CostProfile.defaults());
        VdpaParent q = VdpaParents.create(ParentKind.MLX5, new FakeNetHardware(), KernelVersion.V6_11, m611,
                new KernelCounters());
        start(q);
        assertEquals(0, m611.total(CostKind.VQ_CREATE), "6.11: pre-created at device add");
        assertEquals(2 * 500_000L, m611.total(CostKind.RESUME_VQ_SERIAL),
                "resume_vqs over cur_num_vqs = 2, one after the other before 6.12");

        CostMeter m612 = new CostMeter(CostProfile.defaults());
        VdpaParent r = VdpaParents.create(ParentKind.MLX5, new FakeNetHardware(), KernelVersion.V6_12, m612,
                new KernelCounters());
        start(r);
        assertEquals(500_000L, m612.total(CostKind.RESUME_BATCH), "6.12: one parallel batch");
        assertEquals(145_161L, m612.total(CostKind.RESUME_VQ), "and its second virtqueue");
        assertEquals(0, m612.total(CostKind.RESUME_VQ_SERIAL));
    }

    @Test
    void onlyQueuesWithASizeAreCreatedAndAResetForgetsThem() {
        VdpaParent p = mlx5(KernelVersion.V6_7);
        p.hardware().setVqNum(0, 256);
        p.hardware().setVqNum(1, 256);
        p.hardware().setVqNum(1, 0);
        p.hardware().setStatus(RUNNING);
        assertEquals(1, counters.get(KernelEvent.VQ_CREATE), "setup_vq skips a queue without num_ent");
        p.reset();
        p.hardware().setStatus(RUNNING);
        assertEquals(1, counters.get(KernelEvent.VQ_CREATE), "nothing sized after the reset");
    }

    @Test
    void aLiveSetMapRecreatesTheQueuesBefore68() {
        VdpaParent p = mlx5(KernelVersion.V6_7);
        start(p);
        long created = counters.get(KernelEvent.VQ_CREATE);
        setMap(p).setMap(0, oneGib());
        assertEquals(1, counters.get(KernelEvent.SUSPEND));
        assertEquals(0, counters.get(KernelEvent.RESUME), "torn down and created again, not resumed");
        assertEquals(created + 2, counters.get(KernelEvent.VQ_CREATE));
        assertEquals(2 * 1_156_250L, meter.total(CostKind.SUSPEND_VQ_SERIAL), "37 ms / 32 for each of 2 VQs");
        assertEquals(200_000_000L, meter.total(CostKind.MR_BUILD_SERIAL), "serial MKEYs: 4 x 50 ms for 1 GiB");
        assertFalse(p.hardware().suspended(), "running again");
    }

    @Test
    void aLiveSetMapSuspendsAndResumesFrom68() {
        VdpaParent p = mlx5(KernelVersion.V6_8);
        start(p);
        long created = counters.get(KernelEvent.VQ_CREATE);
        setMap(p).setMap(0, oneGib());
        assertEquals(created, counters.get(KernelEvent.VQ_CREATE));
        assertEquals(1, counters.get(KernelEvent.RESUME));
        assertEquals(2 * 500_000L, meter.total(CostKind.RESUME_VQ_SERIAL), "16 ms / 32 for each of 2 VQs");
        setMap(p).setMap(0, new VhostIotlb());
        assertEquals(2 * 48_000_000L / 2, meter.total(CostKind.MR_DESTROY_SERIAL), "one 1 GiB MR destroyed");
    }

    /** 6.12's parallel figures, with the MR destroyed inline (Tatulea's middle row) to see its figure. */
    @Test
    void parallelFigures612() {
        VdpaParent p = VdpaParents.create(ParentSpec.shipped(ParentKind.MLX5), Mlx5Options.inlineMrDeletion(),
                new FakeNetHardware(), KernelVersion.V6_12, meter, counters);
        start(p);
        setMap(p).setMap(0, oneGib());
        setMap(p).setMap(0, oneGib());
        CostProfile d = CostProfile.defaults();
        assertEquals(2 * d.parallelSuspendNs(2), meter.total(CostKind.SUSPEND_BATCH) + meter.total(CostKind.SUSPEND_VQ));
        assertEquals(3 * d.parallelResumeNs(2), meter.total(CostKind.RESUME_BATCH) + meter.total(CostKind.RESUME_VQ),
                "DRIVER_OK + two live set_maps, each a batch of the 2 data VQs");
        assertEquals(0, meter.total(CostKind.SUSPEND) + meter.total(CostKind.RESUME), "no whole-device figure on mlx5");
        assertEquals(2 * 50_000_000L, meter.total(CostKind.MR_BUILD));
        assertEquals(6_000_000L, meter.total(CostKind.MR_DESTROY));
        assertEquals(0, meter.total(CostKind.SUSPEND_VQ_SERIAL) + meter.total(CostKind.MR_BUILD_SERIAL));
        assertEquals(0, counters.get(KernelEvent.MR_DESTROY_DEFERRED));
    }

    /**
     * 6.12 as shipped ("vdpa/mlx5: Postpone MR deletion"): the replaced MR goes to the GC workqueue;
     * nothing of its destruction is charged to the caller, the rest is the same as inline.
     */
    @Test
    void deferredDeletion612ChargesNoDestroyToTheCaller() {
        VdpaParent p = mlx5(KernelVersion.V6_12);
        start(p);
        setMap(p).setMap(0, oneGib());
        long before = meter.total();
        setMap(p).setMap(0, oneGib());
        CostProfile d = CostProfile.defaults();
        assertEquals(d.parallelSuspendNs(2) + d.parallelResumeNs(2) + 50_000_000L, meter.total() - before,
                "a live set_map: suspend, the new MR, resume; the old MR's destruction off the path");
        assertEquals(0, meter.total(CostKind.MR_DESTROY) + meter.total(CostKind.MR_DESTROY_SERIAL));
        assertEquals(1, counters.get(KernelEvent.MR_DESTROY), "the MR is still destroyed");
        assertEquals(1, counters.get(KernelEvent.MR_DESTROY_DEFERRED), "by the workqueue");
        assertEquals(1.0, ((Mlx5Parent) p).deferredMrDestroyGib(), 1e-9);
        setMap(p).setMap(0, new VhostIotlb()); // an empty table puts the MR as well
        p.resetMap(0);
        assertEquals(2, counters.get(KernelEvent.MR_DESTROY_DEFERRED));
        assertEquals(0, meter.total(CostKind.MR_DESTROY));
    }

    /**
     * 6.7+ set_map_data: an address space without an MR takes the new one without change_map (no
     * suspend, no resume, no VQ re-creation), even while running; one with an MR (ASID 0's DMA MR, or
     * a user MR) goes through change_map.
     */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_7", "V6_8", "V6_12"})
    void aFirstMapOfAnAddressSpaceWithoutAnMrDoesNotSuspend(KernelVersion v) {
        VdpaParent p = mlx5(v);
        start(p);
        long created = counters.get(KernelEvent.VQ_CREATE);
        setMap(p).setMap(1, oneGib());
        assertEquals(0, counters.get(KernelEvent.SUSPEND), v + ": ASID 1 had no MR");
        assertEquals(created, counters.get(KernelEvent.VQ_CREATE), v + ": no VQ re-created");
        assertEquals(1, counters.get(KernelEvent.MR_BUILD), v + ": the MR built");
        setMap(p).setMap(1, oneGib());
        assertEquals(1, counters.get(KernelEvent.SUSPEND), v + ": now it has one: change_map");
        setMap(p).setMap(0, oneGib());
        assertEquals(2, counters.get(KernelEvent.SUSPEND), v + ": ASID 0 has the DMA MR: change_map");
    }

    /** Before 6.7 the one MR is the data virtqueues' and a live set_map of it always changes the map. */
    @Test
    void before67ALiveSetMapOfTheDataAddressSpaceSuspends() {
        VdpaParent p = mlx5(KernelVersion.V6_6);
        start(p);
        setMap(p).setMap(0, oneGib());
        assertEquals(1, counters.get(KernelEvent.SUSPEND));
    }

    /** Which kernels defer by default; the options hold for any kernel (a what-if before 6.12). */
    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void deferralByVersionAndByOption(KernelVersion v) {
        assertEquals(v.atLeast(KernelVersion.V6_12), Mlx5Options.of(v).deferMrDeletion());
        VdpaParent p = mlx5(v);
        assertEquals(Mlx5Options.of(v), ((Mlx5Parent) p).options(), "the version's default");
        VdpaParent inline = VdpaParents.create(ParentSpec.shipped(ParentKind.MLX5), Mlx5Options.inlineMrDeletion(),
                new FakeNetHardware(), v, meter, counters);
        setMap(inline).setMap(0, oneGib());
        setMap(inline).setMap(0, new VhostIotlb());
        assertEquals(0, counters.get(KernelEvent.MR_DESTROY_DEFERRED), v + ": inline");
        assertTrue(meter.total(CostKind.MR_DESTROY) + meter.total(CostKind.MR_DESTROY_SERIAL) > 0, v + ": charged");
    }
}
