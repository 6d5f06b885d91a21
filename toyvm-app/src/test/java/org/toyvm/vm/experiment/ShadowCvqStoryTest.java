package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.MatrixReport;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;

/**
 * With several queue pairs on mlx5 the CVQ is shadowed in ASID 1, and QEMU unmaps its two bounce buffers
 * and shadow ring at every reset and maps them again at every start, whatever the policy. The reboot's
 * sentence (and the matrix cell's) and the VM start's tell those messages apart from guest memory's in
 * ASID 0 — persist keeps guest memory, legacy unmaps and maps it again — and the JSON's {@code iotlb}
 * carries the ASID-1 part. With one pair (no CVQ traffic) nothing of this shows.
 */
class ShadowCvqStoryTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final String CVQ = "the shadowed CVQ's 2 bounce buffers and shadow ring in ASID 1: unmapped at the"
            + " reset (4 INVALIDATE) and mapped again at the next start (4 UPDATE";

    private static RunConfig cfg(int pairs, ResetPolicy policy) {
        return MeasurementTest.cfg(CostProfile.defaults().withGuestBootNs(50 * MS), 1, 10 * MS, 200 * MS, 60 * S)
                .with(KernelVersion.V6_12, ParentKind.MLX5, policy).withNet(NetTopology.SINGLE.withQueuePairs(pairs));
    }

    private static RunReport run(RunConfig c) {
        c.check();
        return new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT).run().report();
    }

    @Test
    void persistKeepsGuestMemoryAndTheSentenceSaysTheFourAndFourAreTheShadowCvqs() {
        RunReport r = run(cfg(4, ResetPolicy.PERSIST));
        RebootResult b = r.reboots().get(0);
        String why = b.explanation();
        assertTrue(b.restored(), why);
        assertTrue(why.contains("the parent's mappings after reset: kept; guest memory kept by userspace: IOTLB_PERSIST"
                + " acked, no IOTLB message in ASID 0; " + CVQ + ", " + b.pagesPinned() + " pages pinned); connectivity"
                + " back after"), why);
        assertFalse(why.contains("userspace (persist) unmapped"), "guest memory was not unmapped: " + why);
        assertEquals(8, b.iotlbMessages(), "the reboot table's column stays the total");
        assertEquals(new RebootResult.AsidCounts(4, 4), b.iotlb().asid1());
        assertEquals(4, b.iotlb().update());
        assertTrue(new Json().pretty(r).contains("\"asid1\" : {"), "the JSON carries the ASID-1 part");
        assertTrue(r.vmStart().contains("its first DRIVER_OK sent no IOTLB message for guest memory; the shadowed CVQ's"
                + " 2 bounce buffers and shadow ring were mapped in ASID 1 at that start (4 UPDATE, "), r.vmStart());
    }

    @Test
    void legacyUnmapsGuestMemoryTooAndTheSentenceCountsEachAddressSpaceApart() {
        RunReport r = run(cfg(4, ResetPolicy.LEGACY));
        RebootResult b = r.reboots().get(0);
        String why = b.explanation();
        assertTrue(b.restored(), why);
        RebootResult.AsidCounts cvq = b.iotlb().asid1();
        assertNotNull(cvq);
        long ramInv = b.iotlb().invalidate() - cvq.invalidate();
        long ramUpd = b.iotlb().update() - cvq.update();
        assertTrue(ramInv > 0 && ramUpd > 0, b.iotlb().toString());
        assertTrue(why.contains("userspace (legacy) unmapped guest memory at reset (" + ramInv + " INVALIDATE) and"
                + " mapped it again at DRIVER_OK (" + ramUpd + " UPDATE); " + CVQ + "); " + b.pagesPinned()
                + " pages pinned in all; connectivity back"), why);
        assertTrue(r.vmStart().contains("mapped it again (" + ramUpd + " UPDATE, "), r.vmStart());
    }

    @Test
    void onePairKeepsTheSentenceAndTheJsonAsBefore() {
        RunReport persist = run(cfg(1, ResetPolicy.PERSIST));
        String why = persist.reboots().get(0).explanation();
        assertTrue(why.contains("; mappings kept by userspace: IOTLB_PERSIST acked, no IOTLB messages; "), why);
        assertFalse(why.contains("ASID"), why);
        assertFalse(persist.vmStart().contains("ASID"), persist.vmStart());
        assertNull(persist.reboots().get(0).iotlb().asid1());
        assertFalse(new Json().pretty(persist).contains("asid1"));
        RebootResult legacy = run(cfg(1, ResetPolicy.LEGACY)).reboots().get(0);
        assertTrue(legacy.explanation().contains("userspace (legacy) unmapped at reset (" + legacy.iotlb().invalidate()
                + " INVALIDATE) and mapped again at DRIVER_OK (" + legacy.iotlb().update() + " UPDATE, "
                + legacy.pagesPinned() + " pages pinned)"), legacy.explanation());
        assertNull(legacy.iotlb().asid1());
    }

    @Test
    void theMatrixCellsSentenceTellsTheAddressSpacesApartToo() {
        MatrixReport m = Matrix.matrix(Matrix.matrixPlan(cfg(4, ResetPolicy.LEGACY), List.of(KernelVersion.V6_12),
                List.of(ParentSpec.shipped(ParentKind.MLX5)), List.of(ResetPolicy.LEGACY, ResetPolicy.PERSIST)),
                PooledByteBufAllocator.DEFAULT);
        assertEquals(2, m.cells().size());
        MatrixReport.Cell legacy = m.cells().get(0);
        MatrixReport.Cell persist = m.cells().get(1);
        assertTrue(legacy.explanation().contains("unmapped guest memory at reset (") && legacy.explanation()
                .contains(CVQ + "); "), legacy.explanation());
        assertTrue(persist.explanation().contains("guest memory kept by userspace: IOTLB_PERSIST acked, no IOTLB"
                + " message in ASID 0; " + CVQ + ", "), persist.explanation());
        assertEquals(8, persist.iotlbMessagesDuringReboot());
    }
}
