package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;

/**
 * The real clock with the in-process peer: the reset instant is the guest's status-0 write on the
 * event loop, and only a reply to a request sent after it restores connectivity. The bounds asserted
 * follow from the model (no reply can come back before the boot and one wire crossing are over),
 * not from how fast the machine is.
 */
class LiveMeasurementTest {
    private static final long MS = 1_000_000L;

    @Test
    void noRealClockRebootIsRestoredBeforeTheBootAndTheWireAreOver() throws Exception {
        // Was ~10 ms on some reboots of "--reboots 40 --boot-time 300ms": the reset instant was taken
        // before the reset happened and an earlier reply crossed it. Here a slow wire makes it likely.
        CostProfile costs = CostProfile.parse("t", new java.io.StringReader("base = zero\nwire_latency = 15ms\n"))
                .withGuestBootNs(100 * MS);
        RunConfig d = RunConfig.defaults();
        RunConfig cfg = new RunConfig(64L << 20, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.PERSIST, 4, 5 * MS,
                costs, "t", ClockMode.REAL, "local", d.mac(), d.ip(), d.peerIp(), 0, 50 * MS, 20_000 * MS, MS, 1);
        StringWriter progress = new StringWriter();
        RunReport r = new LiveRun(cfg, IotlbTraceSink.NONE, new PrintWriter(progress, true)).run().report();
        assertNull(r.summary().failure(), progress.toString());
        assertEquals(4, r.reboots().size());
        for (RebootResult b : r.reboots()) {
            assertTrue(b.restored(), b.explanation());
            assertTrue(b.downtimeMs() >= 100 + 15, "reboot " + b.index() + " downtime " + b.downtimeMs());
            assertTrue(b.pingsSent() > 0 && b.pingsLost() < b.pingsSent(), b.pingsLost() + "/" + b.pingsSent());
        }
        assertTrue(progress.toString().contains("guest up at"), progress.toString());
    }
}
