package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.testing.Props;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;

/**
 * Any interleaving of guest offers, device pops and uses, device calls and (with an in-order device)
 * stops and restarts at the migrated base, from any starting index: the device sees each guest chain
 * with its shape and translated addresses, the guest gets back exactly the device's used elements in
 * the device's order with the guest's head ids and the device's lengths, and every stop answers the
 * guest's used index. Fixed seed ({@link Props}).
 */
class ShadowDataVqPropertyTest {
    private static final long RING = 0x10000;
    private static final long BUF = 0x100000;

    @Test
    @Tag(Props.TAG)
    void chainsComeBackExactlyOnceWithTheDevicesLengths(TestInfo info) {
        Props.qt(info, 60).forAll(lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 600),
                integers().between(0, 0xffff), integers().between(1, 4), booleans().all())
                .checkAssert(ShadowDataVqPropertyTest::scenario);
    }

    /** Every choice of a scenario, taken in turn from the generated values (so that failures shrink). */
    private static final class Draws {
        private final List<Integer> values;
        private int at;

        Draws(List<Integer> values) {
            this.values = values;
        }

        /** The next value in {@code [0, bound)}. */
        int next(int bound) {
            int v = values.get(at++ % values.size());
            return v % bound;
        }
    }

    private record Chain(int head, List<SvqDevice.Desc> expected) {
    }

    private static void scenario(List<Integer> draws, int base, int log2, boolean inOrder) {
        Draws rnd = new Draws(draws);
        int size = 1 << log2;
        SvqFixture f = new SvqFixture();
        DriverRing g = f.guestRing(size, RING);
        g.forceAvailIdx(base);
        f.ram.putU16(g.layout().used().value() + SplitRing.USED_IDX, (short) base); // the ring as migrated: used = avail
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), base, f.shadowIova(), 0);
        SvqDevice dev = new SvqDevice(f, svq, 0, 0, false);
        Deque<Integer> freeDescs = new ArrayDeque<>();
        for (int i = 0; i < size; i++) {
            freeDescs.add(i);
        }
        Map<Integer, Chain> byAvailPos = new HashMap<>(); // avail position (u16) -> the chain offered there
        Map<Integer, int[]> descsOf = new HashMap<>(); // head -> the chain's guest descriptors
        int nextPopPos = base; // the avail position the device's next pop corresponds to
        List<int[]> popped = new ArrayList<>(); // {shadow head, avail position} in flight at the device
        Deque<int[]> expectedUsed = new ArrayDeque<>(); // {guest head, len}
        int guestUsedSeen = base;
        long ram = f.ramIova.value();
        int steps = 40 + rnd.next(80);
        for (int step = 0; step < steps; step++) {
            switch (rnd.next(inOrder ? 5 : 4)) {
                case 0 -> { // the guest offers up to three chains and kicks
                    for (int c = rnd.next(3) + 1; c > 0 && !freeDescs.isEmpty(); c--) {
                        int n = Math.min(freeDescs.size(), 1 + rnd.next(3));
                        int readable = rnd.next(n + 1);
                        int[] ids = new int[n];
                        for (int k = 0; k < n; k++) {
                            ids[k] = freeDescs.poll();
                        }
                        List<SvqDevice.Desc> exp = new ArrayList<>();
                        for (int k = 0; k < n; k++) {
                            long gpa = BUF + (rnd.next(1 << 12) << 10);
                            int len = 1 + rnd.next(4096);
                            boolean write = k >= readable;
                            g.writeDesc(ids[k], Gpa.of(gpa), len, (write ? SplitRing.DESC_F_WRITE : 0)
                                    | (k + 1 < n ? SplitRing.DESC_F_NEXT : 0), k + 1 < n ? ids[k + 1] : 0);
                            exp.add(new SvqDevice.Desc(ram + gpa, len, write));
                        }
                        byAvailPos.put(g.availIdx(), new Chain(ids[0], exp));
                        descsOf.put(ids[0], ids);
                        g.add(ids[0]);
                    }
                    g.publish();
                    svq.guestKick();
                }
                case 1 -> { // the device pops what is there: each chain as the guest wrote it
                    for (SvqDevice.Chain c : dev.popAll()) {
                        Chain want = byAvailPos.get(nextPopPos);
                        assertEquals(want.expected(), c.descs(), "shape at avail position " + nextPopPos);
                        popped.add(new int[] {c.head(), nextPopPos});
                        nextPopPos = (nextPopPos + 1) & 0xffff;
                    }
                }
                case 2 -> { // the device uses some, in order or not
                    for (int u = rnd.next(popped.size() + 1); u > 0; u--) {
                        int[] p = popped.remove(inOrder ? 0 : rnd.next(popped.size()));
                        int len = rnd.next(5000);
                        dev.useRaw(p[0], len);
                        expectedUsed.add(new int[] {byAvailPos.get(p[1]).head(), len});
                    }
                }
                case 3 -> { // the device calls: the guest sees exactly what the device used
                    svq.deviceCall();
                    guestUsedSeen = consume(g, guestUsedSeen, expectedUsed, freeDescs, descsOf);
                }
                default -> { // stop and restart at the migrated base (the destination's SET_VRING_BASE)
                    int migrated = svq.stop();
                    guestUsedSeen = consume(g, guestUsedSeen, expectedUsed, freeDescs, descsOf);
                    assertEquals(g.usedIdx(), migrated, "the migrated index is the guest's used index");
                    assertEquals(1, f.tree.size(), "rings unmapped");
                    popped.clear(); // unpopped: they come again
                    nextPopPos = migrated;
                    svq.start(SvqFixture.queue(SvqFixture.RX, g), migrated, f.shadowIova(), 0);
                    dev = new SvqDevice(f, svq, 0, 0, false);
                }
            }
        }
        // drain: everything offered comes back once
        for (int round = 0; round < 3; round++) {
            for (SvqDevice.Chain c : dev.popAll()) {
                popped.add(new int[] {c.head(), nextPopPos});
                nextPopPos = (nextPopPos + 1) & 0xffff;
            }
            for (int[] p : popped) {
                dev.useRaw(p[0], 1);
                expectedUsed.add(new int[] {byAvailPos.get(p[1]).head(), 1});
            }
            popped.clear();
            svq.deviceCall();
            guestUsedSeen = consume(g, guestUsedSeen, expectedUsed, freeDescs, descsOf);
        }
        assertEquals(size, freeDescs.size(), "every guest descriptor back");
        assertEquals(g.availIdx(), g.usedIdx());
        assertFalse(svq.broken());
        assertEquals(g.usedIdx(), svq.stop());
    }

    /** The guest reads its used ring from {@code seen} on: each element must be the next expected one. */
    private static int consume(DriverRing g, int seen, Deque<int[]> expected, Deque<Integer> free,
            Map<Integer, int[]> descsOf) {
        int used = g.usedIdx();
        while (seen != used) {
            int[] want = expected.poll();
            assertEquals(want == null ? -1 : want[0], g.usedId(seen), "id at used position " + seen);
            assertEquals(want[1], g.usedLen(seen), "len at used position " + seen);
            for (int d : descsOf.remove(want[0])) {
                free.add(d); // the chain's descriptors are the guest's again
            }
            seen = (seen + 1) & 0xffff;
        }
        assertEquals(0, expected.size(), "nothing used by the device is missing from the guest's ring");
        return seen;
    }
}
