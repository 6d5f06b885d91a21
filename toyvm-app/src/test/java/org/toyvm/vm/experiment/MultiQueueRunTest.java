package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.hw.net.NicCounters;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.report.TextReport;

/**
 * {@code --queues N} end to end: the guest enables N pairs through the control queue at every boot,
 * the peer's N flows land one per pair, every pair's RX and TX counters grow before the first reboot
 * and after each one, a reboot is restored only when every pair is back, and the report gives each
 * pair's time. With one pair nothing of this shows.
 */
class MultiQueueRunTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    /** Per-pair rx and tx frame counts at each moment the inspector looked. */
    private static final class PairCounts implements RebootExperiment.Inspector {
        final List<long[]> rx = new ArrayList<>();
        final List<long[]> tx = new ArrayList<>();
        long ctrlOk;
        int activePairs;

        private void take(Machine m) {
            NicCounters c = m.nic().counters();
            long[] r = new long[c.pairs()];
            long[] t = new long[c.pairs()];
            for (int k = 0; k < r.length; k++) {
                r[k] = c.pairRxFrames(k);
                t[k] = c.pairTxFrames(k);
            }
            rx.add(r);
            tx.add(t);
        }

        @Override
        public void beforeReboot(Machine m, int index) {
            take(m);
        }

        @Override
        public void beforePowerOff(Machine m) {
            take(m);
            ctrlOk = m.nic().counters().ctrlOk();
            activePairs = m.nic().rxFilter().activePairs();
        }
    }

    private static RunConfig cfg(int pairs, int reboots) {
        return MeasurementTest.cfg(CostProfile.defaults().withGuestBootNs(50 * MS), reboots, 10 * MS, 200 * MS,
                60 * S).withNet(NetTopology.SINGLE.withQueuePairs(pairs));
    }

    @Test
    void fourPairsEachCarryTrafficBeforeAndAfterEveryReboot() {
        PairCounts seen = new PairCounts();
        RunConfig c = cfg(4, 2);
        c.check();
        RunReport r = new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT, seen).run()
                .report();
        assertNull(r.summary().failure());
        assertEquals(3, seen.rx.size(), "before reboot 1, before reboot 2, at the end");
        for (int k = 0; k < 4; k++) {
            assertTrue(seen.rx.get(0)[k] > 0 && seen.tx.get(0)[k] > 0, "pair " + k + " before the first reboot");
            for (int i = 1; i < seen.rx.size(); i++) {
                assertTrue(seen.rx.get(i)[k] > seen.rx.get(i - 1)[k], "pair " + k + " receives after reboot " + i);
                assertTrue(seen.tx.get(i)[k] > seen.tx.get(i - 1)[k], "pair " + k + " transmits after reboot " + i);
            }
        }
        // Each boot the NIC acks two VQ_PAIRS_SET: QEMU's vhost_vdpa_net_load_mq through the shadowed CVQ at
        // DRIVER_OK (curr_queue_pairs is 1 again after the reset; mlx5 isolates the CVQ), then the guest's.
        assertEquals(6, seen.ctrlOk, "VQ_PAIRS_SET acked twice at each of the 3 boots");
        assertEquals(4, seen.activePairs);
        for (RebootResult b : r.reboots()) {
            assertTrue(b.restored(), b.explanation());
            List<Double> back = b.queuePairsRestoredMs();
            assertNotNull(back);
            assertEquals(4, back.size());
            double last = 0;
            for (Double t : back) {
                assertNotNull(t, "every pair came back");
                assertTrue(t >= 50, "not before the 50 ms boot: " + t);
                last = Math.max(last, t);
            }
            assertTrue(b.downtimeMs() >= last - 10 - 1e-9, "restored with the last pair: " + b.downtimeMs() + " " + last);
            assertEquals(0, b.pingsSent() % 4, "4 flows, each pinged at every tick: " + b.pingsSent());
        }
        String text = TextReport.run(r);
        assertTrue(text.contains("reboot 1 queue pairs back (ms after the reset): 0:"), text);
        assertTrue(new Json().pretty(r).contains("\"queue_pairs_restored_ms\""));
    }

    @Test
    void onePairSendsNoControlCommandAndReportsNoPairTimes() {
        PairCounts seen = new PairCounts();
        RunReport r = new RebootExperiment(cfg(1, 1), IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT, seen).run()
                .report();
        assertTrue(r.reboots().get(0).restored());
        assertNull(r.reboots().get(0).queuePairsRestoredMs());
        assertEquals(0, seen.ctrlOk, "no VQ_PAIRS_SET with one pair");
        assertTrue(!new Json().pretty(r).contains("queue_pairs_restored_ms"));
        assertTrue(!TextReport.run(r).contains("queue pairs back"));
    }

    @Test
    void sixteenPairsFitTheSmallestGuest() {
        PairCounts seen = new PairCounts();
        RunConfig c = cfg(16, 1).withMemory(64L << 20);
        c.check();
        RunReport r = new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT, seen).run()
                .report();
        assertNull(r.summary().failure());
        RebootResult b = r.reboots().get(0);
        assertTrue(b.restored(), b.explanation());
        assertEquals(16, b.queuePairsRestoredMs().size());
        for (int k = 0; k < 16; k++) {
            assertTrue(seen.rx.get(1)[k] > seen.rx.get(0)[k], "pair " + k);
        }
    }
}
