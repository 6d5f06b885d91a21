package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.report.NicResult;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.Timeline;

/**
 * The run's timeline with several NICs: one line per NIC from its own peer's replies, each NIC's reset
 * and return marked and named by its device, the guest's boot done once per reboot, NIC 0's DRIVER_OK
 * alone; with one NIC the timeline is what it always was (no per-NIC lines, no device names). And the
 * VM start's sentence naming the NICs.
 */
class NicTimelineTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private static RebootExperiment.Outcome run(ResetPolicy policy, NetTopology net, int reboots) {
        RunConfig c = MeasurementTest.cfg(CostProfile.zero().withGuestBootNs(50 * MS), reboots, 5 * MS, 200 * MS,
                10 * S).withMemory(1L << 30, policy).with(KernelVersion.V6_12, ParentKind.MLX5, policy)
                .withQemu(QemuVersion.V9_2).withNet(net);
        c.check();
        return new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT).run();
    }

    private static long count(Timeline t, String label) {
        return t.markers().stream().filter(m -> m.label().equals(label)).count();
    }

    @Test
    void oneNicKeepsTheTimelineOfOneLineWithUnnamedMarkers() {
        RebootExperiment.Outcome o = run(ResetPolicy.LEGACY, NetTopology.SINGLE, 2);
        Timeline t = o.timeline();
        assertTrue(t.nics().isEmpty());
        assertTrue(t.replies().total() > 0);
        assertTrue(t.markers().stream().noneMatch(m -> m.label().contains("vhost-vdpa")), t.markers().toString());
        for (int i = 1; i <= 2; i++) {
            assertEquals(1, count(t, "reset #" + i));
            assertEquals(1, count(t, "restored #" + i));
        }
        assertEquals(2, count(t, "boot done"));
        assertEquals(3, count(t, "DRIVER_OK"), "the first boot's and each reboot's");
        assertFalse(o.report().vmStart().contains("vDPA NICs"), o.report().vmStart());
    }

    @Test
    void severalNicsDrawOneLineEachWithTheirOwnResetAndReturn() {
        RebootExperiment.Outcome o = run(ResetPolicy.LEGACY, NetTopology.SINGLE.withNics(3).withQueuePairs(2), 2);
        Timeline t = o.timeline();
        assertEquals(List.of("vhost-vdpa-0", "vhost-vdpa-1", "vhost-vdpa-2"),
                t.nics().stream().map(Timeline.Line::device).toList());
        assertEquals(t.nics().get(0).replies(), t.replies(), "NIC 0's line is the timeline's replies");
        for (Timeline.Line l : t.nics()) {
            assertTrue(l.replies().total() > 0, l.device() + " carried traffic");
        }
        for (int i = 1; i <= 2; i++) {
            RebootResult r = o.report().reboots().get(i - 1);
            for (NicResult n : r.nics()) {
                assertEquals(1, count(t, n.device() + " reset #" + i), t.markers().toString());
                assertEquals(1, count(t, n.device() + " restored #" + i), t.markers().toString());
                double restoredAt = t.markers().stream().filter(m -> m.label().equals(n.device() + " restored #"
                        + (r.index()))).findFirst().orElseThrow().timeMs();
                double resetAt = t.markers().stream().filter(m -> m.label().equals(n.device() + " reset #"
                        + (r.index()))).findFirst().orElseThrow().timeMs();
                assertTrue(restoredAt > resetAt, n.device());
            }
        }
        assertEquals(2, count(t, "boot done"), "the guest's, once per reboot");
        assertEquals(3, count(t, "vhost-vdpa-0 DRIVER_OK"));
        assertEquals(0, count(t, "vhost-vdpa-1 DRIVER_OK") + count(t, "vhost-vdpa-2 DRIVER_OK")
                + count(t, "DRIVER_OK"), "only NIC 0's DRIVER_OK, named");
        for (int i = 1; i < t.markers().size(); i++) {
            assertTrue(t.markers().get(i - 1).timeMs() <= t.markers().get(i).timeMs(), "in time order");
        }
        assertTrue(o.report().vmStart().startsWith("QEMU 9.2, legacy: each of the 3 vDPA NICs alike (vhost-vdpa-0,"
                + " vhost-vdpa-1, vhost-vdpa-2): mapped "), o.report().vmStart());
    }

    @Test
    void devicesThatStartedDifferentlyAreEachDescribed() {
        RunConfig c = RunConfig.defaults();
        assertEquals("QEMU " + c.qemu() + ", " + c.policy() + ": vhost-vdpa-0: mapped A; vhost-vdpa-1: nothing mapped",
                StartStory.explain(c, List.of("vhost-vdpa-0", "vhost-vdpa-1"), List.of("mapped A", "nothing mapped")));
    }
}
