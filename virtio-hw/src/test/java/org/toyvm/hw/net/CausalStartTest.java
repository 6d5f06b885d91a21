package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;

/**
 * A start reaches the NIC only after the cost charged before it in the same synchronous operation
 * (the NIC's {@link org.toyvm.core.time.Causality}): until then the device touches no ring and drops
 * wire frames as not running; a stop issued meanwhile cancels the start.
 */
class CausalStartTest {
    private static final long MS = 1_000_000L;
    private static final int RUNNING = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
            | VirtioStatus.DRIVER_OK;

    /** The lag a test sets while "inside" an operation. */
    private long lag;

    private static void wireFrame(NicFixture f, int seed) {
        byte[] frame = NicFixture.frame(60, seed);
        ByteBuf b = f.alloc.buffer(frame.length).writeBytes(frame);
        f.far.send(b);
    }

    @Test
    void driverOkTakesHoldOnlyAfterTheCostChargedBeforeIt() {
        try (NicFixture f = new NicFixture()) {
            f.nic.setCausality(() -> lag);
            NicFixture.Ring rx = f.rx();
            f.nic.setDriverFeatures(VirtioFeatures.bit(VirtioFeatures.F_VERSION_1));
            lag = 5 * MS; // e.g. the pinning of all RAM charged before set_status in the DRIVER_OK exit
            rx.setUp();
            f.nic.setStatus(RUNNING);
            lag = 0; // the exit is over
            assertTrue(f.nic.startPending());
            rx.ring.offer(rx.single(0x50000, 2048, true));
            f.nic.kick(rx.q);
            wireFrame(f, 1);
            f.sched.runUntil(5 * MS - 1);
            assertEquals(0, rx.usedIdx(), "the device touched no ring before DRIVER_OK reached it");
            assertEquals(1, f.nic.counters().rxDroppedNotRunning, "a frame before the start is dropped");
            assertTrue(f.nic.startPending());

            f.sched.runUntil(5 * MS);
            assertFalse(f.nic.startPending());
            wireFrame(f, 2);
            f.sched.runUntil(6 * MS);
            assertEquals(1, rx.usedIdx(), "the buffer posted before the start is used once the device runs");
            assertEquals(1, f.nic.counters().rxFrames());
        }
    }

    @Test
    void noLagStartsAtOnce() {
        try (NicFixture f = new NicFixture()) {
            f.nic.setCausality(() -> 0);
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            assertFalse(f.nic.startPending());
            rx.publish(rx.single(0x50000, 2048, true));
            f.sendFromWire(NicFixture.frame(60, 3));
            assertEquals(1, rx.usedIdx());
            assertEquals(0, f.sched.now(), "nothing waited");
        }
    }

    @Test
    void aResetOrSuspendIssuedBeforeThePendingStartCancelsIt() {
        try (NicFixture f = new NicFixture()) {
            f.nic.setCausality(() -> lag);
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.publish(rx.single(0x50000, 2048, true));

            f.nic.suspend();
            lag = 2 * MS;
            f.nic.resume();
            lag = 0;
            assertTrue(f.nic.startPending());
            f.nic.suspend(); // later in the sequence than the resume: the device stays stopped
            assertFalse(f.nic.startPending());
            f.sched.runUntil(3 * MS);
            wireFrame(f, 4);
            f.sched.runUntil(4 * MS);
            assertEquals(0, rx.usedIdx(), "suspended: the cancelled resume never started the device");

            f.nic.resume(); // outside an operation: at once
            wireFrame(f, 5);
            f.sched.runUntil(5 * MS);
            assertEquals(1, rx.usedIdx());

            lag = MS;
            f.nic.reset();
            f.start(0, rx); // DRIVER_OK with a lag, then a reset before it reaches the device
            f.nic.reset();
            lag = 0;
            assertFalse(f.nic.startPending());
            assertEquals(0, f.nic.status());
        }
    }

    @Test
    void aQueueEnabledAfterDriverOkStartsWhenTheEnableReachesTheDevice() {
        try (NicFixture f = new NicFixture()) {
            f.nic.setCausality(() -> lag);
            NicFixture.Ring rx = f.rx();
            f.start(0); // running with no queue enabled (ENABLE_AFTER_DRIVER_OK)
            lag = 3 * MS;
            rx.setUp();
            lag = 0;
            rx.ring.offer(rx.single(0x50000, 2048, true));
            wireFrame(f, 6);
            f.sched.runUntil(2 * MS);
            assertEquals(0, rx.usedIdx());
            assertEquals(1, f.nic.counters().rxDroppedNotRunning);
            f.sched.runUntil(3 * MS);
            wireFrame(f, 7);
            f.sched.runUntil(4 * MS);
            assertEquals(1, rx.usedIdx());
        }
    }
}
