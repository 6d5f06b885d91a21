package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vm.report.RebootResult;

/**
 * With the default profile, kernel 6.7 and mlx5: persist's vCPU freeze does not grow with memory and
 * it sends no IOTLB message and pins nothing during the reboot; legacy's freeze grows linearly with
 * the slope the profile implies.
 */
class MemorySweepTest {
    private static RebootResult reboot(long memory, ResetPolicy p) {
        return Runs.run(Runs.defaults(memory, p, 600_000_000_000L)).report().reboots().get(0);
    }

    @Test
    void persistIsFlatLegacyIsLinear() {
        long gib = 1L << 30;
        RebootResult p1 = reboot(gib, ResetPolicy.PERSIST);
        RebootResult pT = reboot(1L << 40, ResetPolicy.PERSIST);
        assertTrue(p1.restored() && pT.restored());
        assertEquals(p1.vcpuFreezeMs(), pT.vcpuFreezeMs(), p1.vcpuFreezeMs() * 0.05, "persist flat within 5%");
        assertEquals(0, pT.iotlbMessages());
        assertEquals(0, pT.pagesPinned());

        RebootResult l1 = reboot(gib, ResetPolicy.LEGACY);
        RebootResult lT = reboot(1L << 40, ResetPolicy.LEGACY);
        assertTrue(l1.restored() && lT.restored(), "restored within the sweep's 600 s timeout");
        // What the profile implies per GiB for legacy on mlx5: unpin at reset, pin again at DRIVER_OK,
        // the MR destroyed (empty table) and built again (BATCH_END). The run's kernel is 6.7, before
        // the parallel MKEY series: the serial MR figures.
        CostProfile c = CostProfile.defaults();
        double slopeMs = (262144.0 * (c.pinPerPageNs() + c.unpinPerPageNs()) + c.mrBuildSerialPerGibNs()
                + c.mrDestroySerialPerGibNs()) / 1e6;
        double measured = (lT.vcpuFreezeMs() - l1.vcpuFreezeMs()) / 1023.0;
        assertEquals(slopeMs, measured, slopeMs * 0.01, "legacy freeze slope per GiB");
        assertEquals(262144L * 1024 + 64, lT.pagesPinned(), "all RAM and the BIOS ROM pinned again");
    }
}
