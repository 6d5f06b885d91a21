package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.MigrationTechniques;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.MigrationReport;
import org.toyvm.vm.report.MigrationText;

/**
 * Live migrations end to end on the virtual clock, with the default cost profile: the guest keeps its
 * connectivity through the pre-copy (its packets through QEMU's shadow virtqueues), loses it at the two
 * disruptions and gets it back on the destination; each technique of Si-Wei Liu's series takes away the
 * IOTLB messages it is meant to, and the downtimes fall in the order the published table shows.
 */
class MigrationExperimentTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private static RunConfig run(long memory, int nics, int pairs, KernelVersion k, QemuVersion q, boolean persist) {
        ResetPolicy p = persist ? ResetPolicy.PERSIST : ResetPolicy.LEGACY;
        return MeasurementTest.cfg(CostProfile.defaults(), 0, 50 * MS, 500 * MS, 600 * S)
                .with(k, ParentKind.MLX5, p).withMemory(memory).withQemu(q)
                .withNet(new NetTopology(nics, pairs, java.util.OptionalLong.empty()))
                .withMemoryBackend(BackendChoice.DEFAULT);
    }

    private static MigrationReport migrate(RunConfig rc, MigrationTechniques t) {
        // 8 GiB/s: a short pre-copy keeps the test's simulated pings few (the leak detector is paranoid).
        return migrate(rc, t, 8L << 30);
    }

    private static MigrationReport migrate(RunConfig rc, MigrationTechniques t, long bandwidth) {
        MigrationConfig c = new MigrationConfig(rc, t, bandwidth, MigrationConfig.DEFAULT_DIRTY_RATE,
                MigrationConfig.DEFAULT_DOWNTIME_LIMIT_NS, Optional.empty());
        return new MigrationExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT, null).run().report();
    }

    private static List<MigrationReport.Stage> stages(MigrationReport r, String name) {
        return r.stages().stream().filter(s -> s.stage().equals(name)).toList();
    }

    private static long sum(List<MigrationReport.Stage> st, java.util.function.ToLongFunction<MigrationReport.Iotlb> f) {
        return st.stream().mapToLong(s -> f.applyAsLong(s.iotlb())).sum();
    }

    @Test
    void theGuestLosesConnectivityTwiceAndComesBackOnTheDestination() {
        // 1 GiB at 1 GiB/s: a pre-copy of 1 s, long enough for the peer to see the NIC back through the SVQ.
        MigrationReport r = migrate(run(1L << 30, 1, 1, KernelVersion.V6_12, QemuVersion.MASTER, false),
                MigrationTechniques.NONE, MigrationConfig.DEFAULT_BANDWIDTH);
        assertNull(r.summary().failure(), () -> MigrationText.migration(r));
        assertTrue(r.summary().completed());
        MigrationReport.Nic n = r.nics().get(0);
        assertNotNull(n.switchDowntimeMs(), "the peer saw the NIC back after the switch to SVQ");
        assertNotNull(n.switchoverDowntimeMs(), "the peer saw the guest answer from the destination");
        assertTrue(n.switchPingsLost() > 0 && n.switchoverPingsLost() > 0, () -> MigrationText.migration(r));
        // The switch stops the NIC for as long as its ioctls and (un)mapping take: the peer's window covers it.
        assertTrue(n.switchDowntimeMs() >= n.switchMs(), () -> MigrationText.migration(r));
        // The switchover: the vCPUs stay paused from vm_stop until every NIC is started on the destination.
        MigrationReport.Downtimes d = r.downtimes();
        assertTrue(n.switchoverDowntimeMs() >= d.vcpuPausedMs(), () -> MigrationText.migration(r));
        assertTrue(d.lastSuspendToLastEnableMs() > 0 && d.lastSuspendToLastEnableMs() <= d.vcpuPausedMs());
        // Legacy, no technique: the switch unmaps guest RAM and maps it again at tree IOVAs, in ASID 0.
        List<MigrationReport.Stage> sw = stages(r, "switch to shadow virtqueues");
        assertTrue(sum(sw, MigrationReport.Iotlb::asid0Invalidate) > 0 && sum(sw, MigrationReport.Iotlb::asid0Update) > 0);
        assertTrue(sw.get(0).pagesPinned() >= (1L << 30) / 4096, "all of RAM pinned again at the switch");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ParentKind.class)
    void everyParentMigratesAndTheIntervalStartsAtTheStopsOwnSuspend(ParentKind parent) {
        RunConfig rc = run(1L << 30, 1, 1, KernelVersion.V6_12, QemuVersion.MASTER, false)
                .with(KernelVersion.V6_12, parent, ResetPolicy.LEGACY).withMemoryBackend(BackendChoice.DEFAULT);
        MigrationReport r = migrate(rc, MigrationTechniques.NONE, MigrationConfig.DEFAULT_BANDWIDTH);
        assertNull(r.summary().failure(), () -> MigrationText.migration(r));
        assertNotNull(r.nics().get(0).switchDowntimeMs(), () -> MigrationText.migration(r));
        MigrationReport.Downtimes d = r.downtimes();
        assertTrue(d.lastSuspendToLastEnableMs() > 0 && d.lastSuspendToLastEnableMs() <= d.vcpuPausedMs());
        if (parent == ParentKind.PLATFORM) {
            // No SUSPEND (the stop resets the device instead): the interval runs from vm_stop, never from
            // the switch's earlier stop.
            assertEquals(d.vcpuPausedMs(), d.lastSuspendToLastEnableMs(), 0.01);
        }
    }

    @Test
    void aMigrationIsDeterministic() {
        RunConfig rc = run(1L << 30, 2, 2, KernelVersion.V6_7, QemuVersion.V9_2, false);
        Json json = new Json();
        assertEquals(json.pretty(migrate(rc, MigrationTechniques.NONE)), json.pretty(migrate(rc, MigrationTechniques.NONE)));
    }

    @Test
    void eachTechniqueTakesAwayItsMessagesAndTheDowntimesFallInTheTablesOrder() {
        long mem = 2L << 30;
        MigrationReport base = migrate(run(mem, 2, 2, KernelVersion.V6_7, QemuVersion.V9_0, false), MigrationTechniques.NONE);
        MigrationReport early = migrate(run(mem, 2, 2, KernelVersion.V6_7, QemuVersion.V9_0, false),
                new MigrationTechniques(true, false, false));
        MigrationReport desc = migrate(run(mem, 2, 2, KernelVersion.V6_7, QemuVersion.V9_0, false),
                new MigrationTechniques(true, true, false));
        MigrationReport persist = migrate(run(mem, 2, 2, KernelVersion.V6_7, QemuVersion.V9_0, true),
                new MigrationTechniques(true, true, false));
        MigrationReport batch = migrate(run(mem, 2, 2, KernelVersion.V6_7, QemuVersion.V9_0, true),
                new MigrationTechniques(true, true, true));
        for (MigrationReport r : List.of(base, early, desc, persist, batch)) {
            assertNull(r.summary().failure(), () -> MigrationText.migration(r));
        }
        // Early map: the destination maps guest RAM at its start-up, so its vm_start maps none.
        assertTrue(sum(stages(base, "start (vm_start)"), MigrationReport.Iotlb::asid0Update) > 0);
        assertEquals(0, sum(stages(early, "start (vm_start)"), MigrationReport.Iotlb::asid0Update));
        assertTrue(early.downtimes().stopCopySumMs() < base.downtimes().stopCopySumMs());
        // Descriptor ASID: the shadow rings go to ASID 1 instead of ASID 0. Alone it does not spare guest
        // RAM: the switch's reset still cleans the map on 6.7+ (CLEAN_MAP unless IOTLB_PERSIST is acked),
        // so RAM is mapped again — at its GPAs, not at tree IOVAs.
        List<MigrationReport.Stage> swEarly = stages(early, "switch to shadow virtqueues");
        List<MigrationReport.Stage> swDesc = stages(desc, "switch to shadow virtqueues");
        assertEquals(0, sum(swEarly, MigrationReport.Iotlb::otherAsidUpdate));
        assertTrue(sum(swDesc, MigrationReport.Iotlb::otherAsidUpdate) > 0);
        assertTrue(sum(swDesc, MigrationReport.Iotlb::asid0Update) > 0);
        assertTrue(desc.downtimes().switchWorstDeviceMs() <= early.downtimes().switchWorstDeviceMs());
        // With the persistent IOTLB on top, the switch and the source's stop send nothing for guest RAM.
        List<MigrationReport.Stage> swPersist = stages(persist, "switch to shadow virtqueues");
        assertEquals(0, sum(swPersist, MigrationReport.Iotlb::asid0Invalidate)
                + sum(swPersist, MigrationReport.Iotlb::asid0Update));
        assertTrue(persist.downtimes().switchWorstDeviceMs() < desc.downtimes().switchWorstDeviceMs() / 10);
        assertTrue(sum(stages(desc, "stop (vm_stop)"), MigrationReport.Iotlb::asid0Invalidate) > 0);
        assertEquals(0, sum(stages(persist, "stop (vm_stop)"), MigrationReport.Iotlb::asid0Invalidate));
        assertTrue(persist.downtimes().stopCopySumMs() < desc.downtimes().stopCopySumMs());
        // Batching: fewer, larger set_map calls; never slower.
        assertTrue(batch.downtimes().stopCopySumMs() <= persist.downtimes().stopCopySumMs());
        assertTrue(batch.downtimes().switchWorstDeviceMs() <= persist.downtimes().switchWorstDeviceMs());
    }

    @Test
    void aPreCopyThatCannotConvergeIsAFailureThatSaysWhy() {
        RunConfig rc = run(1L << 30, 1, 1, KernelVersion.V6_12, QemuVersion.MASTER, false);
        MigrationConfig c = new MigrationConfig(rc, MigrationTechniques.NONE, 64L << 20, 128L << 20,
                MigrationConfig.DEFAULT_DOWNTIME_LIMIT_NS, Optional.empty());
        MigrationReport r = new MigrationExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT, null).run()
                .report();
        assertNotNull(r.summary().failure());
        assertTrue(r.summary().failure().contains("does not converge"), r.summary().failure());
        assertTrue(!r.summary().completed());
    }
}
