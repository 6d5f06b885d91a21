package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.report.NicResult;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.report.TextReport;

/**
 * With several NICs of several pairs, a NIC's times — its device's reset, its return and each of its
 * pairs' — all count from the reboot request, so the NIC row and its pair line cannot be read against
 * each other wrongly: the NIC is back when its last pair is. The guest resets the devices one after the
 * other, so with the default costs the second device's reset comes measurably after the request.
 */
class NicPairTimesTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void aNicsRowAndItsPairsCountFromTheRebootRequest() {
        RunConfig c = MeasurementTest.cfg(CostProfile.defaults().withGuestBootNs(50 * MS), 1, 10 * MS, 200 * MS, 60 * S)
                .with(KernelVersion.V6_12, ParentKind.MLX5, ResetPolicy.PERSIST)
                .withNet(NetTopology.SINGLE.withNics(2).withQueuePairs(2));
        c.check();
        RunReport r = new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT).run().report();
        RebootResult b = r.reboots().get(0);
        assertTrue(b.restored(), b.explanation());
        List<NicResult> nics = b.nics();
        assertEquals(2, nics.size());
        for (NicResult n : nics) {
            assertNotNull(n.resetAfterMs(), n.device());
            double last = 0;
            for (Double t : n.queuePairsRestoredMs()) {
                assertNotNull(t);
                assertTrue(t > n.resetAfterMs(), n.device() + ": a pair is back after its device's reset");
                last = Math.max(last, t);
            }
            assertEquals(n.backAfterMs(), last, 1e-9, n.device() + ": back with its last pair, same origin");
        }
        assertTrue(nics.get(1).resetAfterMs() > nics.get(0).resetAfterMs(),
                "the second device is reset after the first: " + nics);
        String text = TextReport.run(r);
        NicResult second = nics.get(1);
        assertTrue(text.contains(String.format(Locale.ROOT, "ms after the reboot request: reset %.1f, back %.1f%n",
                second.resetAfterMs(), second.backAfterMs())), text);
        assertTrue(text.contains("  vhost-vdpa-1 queue pairs back (ms after the reboot request): 0:"), text);
        assertFalse(text.contains("vhost-vdpa-1 queue pairs back (ms after the reset)"), text);
    }
}
