package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;

/**
 * A model driver and the device on small rings (8 entries, so positions wrap often), in generated
 * interleavings (a list of {@link Action}s, so a failure shrinks to a short one) of: the driver
 * adding TX chains (split over 1–3 descriptors) or RX buffers with or without a kick, the device
 * running, frames arriving from the wire, and the driver reaping used entries. Every TX frame reaches the wire exactly once, in order and intact; every wire frame lands
 * in exactly one RX buffer, in order and intact; no head is returned twice.
 */
class RingInterleavingTest {
    /** One thing the driver, the device or the wire does; the list of them is the interleaving. */
    sealed interface Action permits QueueTx, PostRx, FromWire, RunDevice, ReapTx, ReapRx {
    }

    /**
     * The driver queues a TX frame of {@code length} bytes split over 3 descriptors at two cuts;
     * {@code cut1}/{@code cut2} are taken modulo what is left, so any value is a valid cut.
     */
    record QueueTx(int length, int cut1, int cut2, boolean kick) implements Action {
    }

    record PostRx(boolean kick) implements Action {
    }

    record FromWire(int length) implements Action {
    }

    record RunDevice() implements Action {
    }

    record ReapTx() implements Action {
    }

    record ReapRx() implements Action {
    }

    /** Uniform in [min, max] (QuickTheories' ranges are uniform; they shrink towards min). */
    private static Gen<Integer> uniform(int min, int max) {
        return Generate.range(min, max);
    }

    /** 1 to 240 actions (120 on average), each of the six kinds equally likely; no edge values mixed in. */
    static Gen<List<Action>> interleavings() {
        Gen<Action> action = Generate.oneOf(
                uniform(20, 219).zip(uniform(0, 255), uniform(0, 255), Generate.booleans(), QueueTx::new),
                Generate.booleans().map(PostRx::new),
                uniform(14, 313).map(FromWire::new),
                Generate.constant(new RunDevice()),
                Generate.constant(new ReapTx()),
                Generate.constant(new ReapRx()));
        return SourceDSL.lists().of(action).ofSizeBetween(1, 240);
    }

    @Test
    @Tag(Props.TAG)
    void noBufferIsLostDuplicatedOrCorrupted(TestInfo info) {
        Props.qt(info, 200).forAll(interleavings(), Generate.booleans())
                .checkAssert(RingInterleavingTest::noBufferLost);
    }

    private static void noBufferLost(List<Action> actions, boolean eventIdx) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.new Ring(VirtioNetNic.RX, 8, 0x10000);
            NicFixture.Ring tx = f.new Ring(VirtioNetNic.TX, 8, 0x20000);
            f.nic.setDriverFeatures(VirtioFeatures.bit(VirtioFeatures.F_VERSION_1)
                    | (eventIdx ? VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX) : 0));
            rx.setUp();
            tx.setUp();
            f.nic.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                    | VirtioStatus.DRIVER_OK);
            ArrayDeque<Integer> freeTx = new ArrayDeque<>(List.of(0, 1, 2, 3, 4, 5, 6, 7));
            ArrayDeque<Integer> freeRx = new ArrayDeque<>(List.of(0, 1, 2, 3, 4, 5, 6, 7));
            List<byte[]> sent = new ArrayList<>();
            List<byte[]> toGuest = new ArrayList<>();
            List<byte[]> gotByGuest = new ArrayList<>();
            Set<Integer> txOutstanding = new HashSet<>();
            Set<Integer> rxOutstanding = new HashSet<>();
            java.util.Map<Integer, int[]> chainTail = new java.util.HashMap<>(); // head -> rest of its chain
            int n = 0;
            for (Action action : actions) {
                if (action instanceof QueueTx q) {
                    // the driver queues a TX frame split over 3 descriptors (when 3 slots are free)
                    if (freeTx.size() >= 3) {
                        byte[] frame = NicFixture.frame(q.length(), n++);
                        int[] ids = {freeTx.poll(), freeTx.poll(), freeTx.poll()};
                        long buf = 0x40000 + ids[0] * 0x1000L;
                        f.putTxBuffer(buf, frame);
                        int total = 12 + frame.length;
                        int cut1 = q.cut1() % (total + 1);
                        int cut2 = cut1 + q.cut2() % (total - cut1 + 1);
                        tx.desc(ids[0], buf, cut1, SplitRing.DESC_F_NEXT, ids[1]);
                        tx.desc(ids[1], buf + cut1, cut2 - cut1, SplitRing.DESC_F_NEXT, ids[2]);
                        tx.desc(ids[2], buf + cut2, total - cut2, 0, 0);
                        txOutstanding.add(ids[0]);
                        chainTail.put(ids[0], new int[] {ids[1], ids[2]});
                        sent.add(frame);
                        publish(f, tx, ids[0], q.kick());
                    }
                } else if (action instanceof PostRx p) { // the driver posts an RX buffer
                    if (!freeRx.isEmpty()) {
                        int id = freeRx.poll();
                        rx.desc(id, 0x60000 + id * 0x1000L, 2048, SplitRing.DESC_F_WRITE, 0);
                        rxOutstanding.add(id);
                        publish(f, rx, id, p.kick());
                    }
                } else if (action instanceof FromWire w) { // a frame from the wire (the device queues at most its backlog)
                    if (toGuest.size() - gotByGuest.size() < 32) {
                        byte[] frame = NicFixture.frame(w.length(), 1000 + n++);
                        toGuest.add(frame);
                        f.far.send(io.netty.buffer.Unpooled.copiedBuffer(frame));
                    }
                } else if (action instanceof RunDevice) {
                    f.sched.runUntilIdle();
                } else if (action instanceof ReapTx) {
                    while (tx.ring.hasUsed()) {
                        int id = tx.ring.nextUsedId();
                        assertTrue(txOutstanding.remove(id), "TX head " + id + " returned once");
                        freeTx.add(id);
                        for (int t : chainTail.remove(id)) {
                            freeTx.add(t);
                        }
                        tx.ring.consumeUsed();
                    }
                } else if (action instanceof ReapRx) {
                    while (rx.ring.hasUsed()) {
                        int id = rx.ring.nextUsedId();
                        int len = rx.ring.nextUsedLen();
                        assertTrue(rxOutstanding.remove(id), "RX head " + id + " returned once");
                        byte[] got = new byte[len - 12];
                        f.ram.read(0x60000 + id * 0x1000L + 12, got, 0, got.length);
                        gotByGuest.add(got);
                        freeRx.add(id);
                        rx.ring.consumeUsed();
                    }
                }
            }
            // Drain: run the device, give RX buffers until every wire frame is in, reap everything.
            for (int round = 0; round < 64 && (gotByGuest.size() < toGuest.size() || !txOutstanding.isEmpty()); round++) {
                f.sched.runUntilIdle();
                while (tx.ring.hasUsed()) {
                    assertTrue(txOutstanding.remove(tx.ring.nextUsedId()));
                    tx.ring.consumeUsed();
                }
                while (rx.ring.hasUsed()) {
                    int id = rx.ring.nextUsedId();
                    byte[] got = new byte[rx.ring.nextUsedLen() - 12];
                    f.ram.read(0x60000 + id * 0x1000L + 12, got, 0, got.length);
                    gotByGuest.add(got);
                    assertTrue(rxOutstanding.remove(id));
                    freeRx.add(id);
                    rx.ring.consumeUsed();
                }
                if (!freeRx.isEmpty()) {
                    int id = freeRx.poll();
                    rx.desc(id, 0x60000 + id * 0x1000L, 2048, SplitRing.DESC_F_WRITE, 0);
                    rxOutstanding.add(id);
                    publish(f, rx, id, true);
                }
                if (!txOutstanding.isEmpty()) {
                    f.nic.kick(VirtioNetNic.TX);
                }
            }
            assertEquals(sent.size(), f.received.size(), "every TX frame on the wire once");
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), f.received.get(i), "TX frame " + i);
            }
            assertEquals(toGuest.size(), gotByGuest.size(), "every wire frame in an RX buffer once");
            for (int i = 0; i < toGuest.size(); i++) {
                assertArrayEquals(toGuest.get(i), gotByGuest.get(i), "RX frame " + i);
            }
            assertEquals(0, f.nic.counters().chainDrops());
            assertEquals(0, f.nic.dmaFaults());
        }
    }

    private static void publish(NicFixture f, NicFixture.Ring r, int head, boolean kick) {
        r.ring.offer(head);
        if (kick) {
            f.nic.kick(r.q);
        }
    }
}
