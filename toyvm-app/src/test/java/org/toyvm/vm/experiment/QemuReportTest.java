package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.MatrixReport;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.report.TextReport;

/**
 * Reports name the QEMU release and the policy, and each reboot's (and each matrix cell's) sentence
 * says what that release's frontend did at the reset — from what was counted, so it differs where the
 * releases differ.
 */
class QemuReportTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private static RunConfig cfg(QemuVersion q, ParentKind parent, ResetPolicy policy) {
        return MeasurementTest.cfg(CostProfile.zero().withGuestBootNs(50 * MS), 1, 5 * MS, 200 * MS, 10 * S)
                .with(KernelVersion.V6_7, parent, policy).withQemu(q);
    }

    private static RunReport run(RunConfig c) {
        return new RebootExperiment(c, org.toyvm.net.vhost.IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT).run()
                .report();
    }

    @Test
    void theRunReportNamesTheReleaseAndPolicyInTheHeaderTheSentenceAndTheJson() {
        RunReport r = run(cfg(QemuVersion.V9_0, ParentKind.MLX5, ResetPolicy.LEGACY));
        String text = TextReport.run(r);
        assertTrue(text.startsWith("toyvm run: 256M guest, QEMU 9.0, kernel 6.7, parent mlx5, policy legacy,"), text);
        RebootResult b = r.reboots().get(0);
        assertTrue(b.restored(), b.explanation());
        assertTrue(b.explanation().startsWith("QEMU 9.0, legacy: at the reset the VMM suspended the device and read 2"
                + " ring bases, reset it and set ACK|DRIVER again; kernel 6.7"), b.explanation());
        assertFalse(b.explanation().contains("virtio_reset"), "9.0 sends no second reset: " + b.explanation());
        assertTrue(new Json().pretty(r).contains("\"qemu\" : \"9.0\""));
    }

    @Test
    void theVmStartSaysWhenGuestMemoryWasFirstMappedAndWhatBecameOfIt() {
        String v90 = run(cfg(QemuVersion.V9_0, ParentKind.MLX5, ResetPolicy.LEGACY)).vmStart();
        assertEquals("QEMU 9.0, legacy: mapped 256.3 MiB of guest memory at the guest's first DRIVER_OK (2 UPDATE)",
                v90);
        RunReport legacy101 = run(cfg(QemuVersion.V10_1, ParentKind.MLX5, ResetPolicy.LEGACY));
        assertEquals("QEMU 10.1, legacy: mapped 256.3 MiB of guest memory at SET_OWNER, before the guest ran (2 UPDATE):"
                + " the VM start paid the mapping; the guest's first status 0 (its probe; in QEMU the machine reset at"
                + " start-up already) unmapped it (2 INVALIDATE) and its first DRIVER_OK mapped it again (2 UPDATE,"
                + " 256.3 MiB)", legacy101.vmStart());
        assertTrue(TextReport.run(legacy101).contains("\nvm start: QEMU 10.1, legacy: mapped"));
        assertTrue(new Json().pretty(legacy101).contains("\"vm_start\" : \"QEMU 10.1, legacy: mapped"));
        String persist101 = run(cfg(QemuVersion.V10_1, ParentKind.MLX5, ResetPolicy.PERSIST)).vmStart();
        assertTrue(persist101.endsWith("the VMM kept it registered through the guest's first status 0 (the policy"
                + " keeps mappings) and its first DRIVER_OK sent no IOTLB message"), persist101);
    }

    @Test
    void from92TheSentenceCountsTheSecondResetAndWithoutSuspendTheSkippedRingBases() {
        RunReport r = run(cfg(QemuVersion.V9_2, ParentKind.PLATFORM, ResetPolicy.LEGACY));
        String why = r.reboots().get(0).explanation();
        assertTrue(why.startsWith("QEMU 9.2, legacy: at the reset the VMM could not suspend (SUSPEND not acked) and"
                + " reset the device instead, skipped GET_VRING_BASE of 2 queues"), why);
        // The stop's fallback and reset_status, then virtio_reset after the stop and at the guest's probe.
        assertTrue(why.contains("then virtio_reset reset it again after the stop and at each later status-0 write of"
                + " the guest (2x; 4 SET_STATUS 0 in the reboot): the device waited at status 0"), why);
        RunReport persist = run(cfg(QemuVersion.MASTER, ParentKind.MLX5, ResetPolicy.PERSIST));
        String kept = persist.reboots().get(0).explanation();
        assertTrue(kept.startsWith("QEMU master, persist: at the reset the VMM suspended the device"), kept);
        assertTrue(kept.contains("mappings kept by userspace: IOTLB_PERSIST acked, no IOTLB messages"), kept);
    }

    @Test
    void everyMatrixCellIsExplainedPerReleaseAndANaiveFirstBootIsAFindingNotAFailure() {
        RunConfig base = cfg(QemuVersion.MASTER, ParentKind.MLX5, ResetPolicy.LEGACY);
        MatrixReport m = Matrix.matrix(Matrix.matrixPlan(base, List.of(QemuVersion.V9_0, QemuVersion.V10_1),
                List.of(KernelVersion.V6_7), List.of(ParentSpec.shipped(ParentKind.MLX5)),
                List.of(ResetPolicy.LEGACY, ResetPolicy.NAIVE)),
                PooledByteBufAllocator.DEFAULT);
        assertEquals(4, m.cells().size());
        assertEquals(List.of(), m.failed());
        for (MatrixReport.Cell c : m.cells()) {
            assertTrue(c.explanation().startsWith("QEMU " + c.qemu() + ", " + c.policy() + ": "), c.explanation());
            assertNull(c.failure());
        }
        MatrixReport.Cell naive101 = m.cells().get(3);
        assertEquals("10.1", naive101.qemu());
        assertFalse(naive101.restored());
        assertTrue(naive101.explanation().contains("the first boot never connected"), naive101.explanation());
        MatrixReport.Cell naive90 = m.cells().get(1);
        assertTrue(naive90.explanation().contains("DMA faults after reset"), naive90.explanation());
        assertTrue(m.cells().get(0).restored() && m.cells().get(2).restored(), "legacy restores on both releases");
        String text = TextReport.matrix(m);
        assertTrue(text.contains("10.1/6.7/mlx5/legacy: QEMU 10.1, legacy: at the reset"), text);
    }
}
