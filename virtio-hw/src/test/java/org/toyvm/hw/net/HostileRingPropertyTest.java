package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;

/**
 * A guest that writes anything into its descriptor table, an indirect table and the avail ring —
 * fields drawn at the edges of their widths as well as plausible ones — against the TX or the RX
 * queue. Oracles: no failure reaches the device's catch-all (which would show as an "internal
 * error" NEEDS_RESET), every consumed head is given back exactly once, every TX chain is either sent
 * or dropped-and-counted, and every Netty buffer is released (the fixture checks on close).
 */
class HostileRingPropertyTest {
    /** One descriptor as the guest wrote it: addr u64, len u32 (in a long), flags and next u16. */
    record Desc(long addr, long len, int flags, int next) {
    }

    /** Which queue, and the two ring features the driver acked. */
    record Side(boolean rxSide, boolean indirect, boolean eventIdx) {
    }

    /** The ends of each range are picked explicitly too: QuickTheories has no edge cases of its own. */
    private static Gen<Long> longsWithEnds(long min, long max) {
        return Generate.longRange(min, max).mix(Generate.pick(List.of(min, max)), 10);
    }

    private static Gen<Integer> intsWithEnds(int min, int max) {
        return Generate.range(min, max).mix(Generate.pick(List.of(min, max)), 10);
    }

    static Gen<List<Desc>> tables() {
        Gen<Long> addr = Generate.frequency(
                Pair.of(6, longsWithEnds(0x40000, 0x48000)),
                Pair.of(2, Generate.pick(List.of(0x60000L, 0x60010L, 0x60008L))), // the indirect table
                Pair.of(1, longsWithEnds(NicFixture.RAM - 0x100, NicFixture.RAM + 0x100)),
                Pair.of(2, Generate.pick(List.of(0L, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, Long.MIN_VALUE, -1L,
                        -16L, -72L))));
        Gen<Long> len = Generate.frequency(
                Pair.of(6, longsWithEnds(0, 200)),
                Pair.of(2, Generate.pick(List.of(12L, 16L, 32L, 72L, 256L, 1514L, 1526L, 2048L))),
                Pair.of(2, Generate.pick(List.of(0x7fff_ffffL, 0x8000_0000L, 0xffff_fff0L, 0xffff_ffffL))));
        Gen<Integer> flags = Generate.frequency(
                Pair.of(6, intsWithEnds(0, 7)),
                Pair.of(1, Generate.pick(List.of(0x7fff, 0x8000, 0xffff, 0x8001, 0x8002))));
        Gen<Integer> next = Generate.frequency(
                Pair.of(8, intsWithEnds(0, 15)),
                Pair.of(1, Generate.pick(List.of(16, 0x7fff, 0x8000, 0xffff))));
        return SourceDSL.lists().of(addr.zip(len, flags, next, Desc::new)).ofSize(32);
    }

    static Gen<List<Integer>> heads() {
        return SourceDSL.lists().of(Generate.frequency(
                Pair.of(80, intsWithEnds(0, 15)),
                Pair.of(1, Generate.pick(List.of(16, 0x7fff, 0x8000, 0xffff))))).ofSizeBetween(1, 24);
    }

    static Gen<Side> sides() {
        return Generate.booleans().zip(Generate.booleans(), Generate.booleans(), Side::new);
    }

    @Test
    @Tag(Props.TAG)
    void anyRingContentIsSurvived(TestInfo info) {
        Props.qt(info, 300).forAll(tables(), heads(), sides())
                .checkAssert((descs, heads, side) -> survives(descs, heads, side.rxSide(), side.indirect(), side.eventIdx()));
    }

    private static void survives(List<Desc> descs, List<Integer> heads, boolean rxSide, boolean indirect,
            boolean eventIdx) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring ring = rxSide ? f.rx() : f.tx();
            long features = (indirect ? VirtioFeatures.bit(VirtioFeatures.RING_F_INDIRECT_DESC) : 0)
                    | (eventIdx ? VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX) : 0);
            f.start(features, ring);
            for (int i = 0; i < 32; i++) {
                Desc d = descs.get(i);
                long table = i < 16 ? ring.desc : 0x60000 - 16L * 16;
                DatapathTest.writeDesc(f, table, i, d.addr(), (int) d.len(), d.flags(), d.next());
            }
            for (long a = 0x40000; a < 0x48000; a += 8) {
                f.ram.putU64(a, a * 0x9e3779b97f4a7c15L);
            }
            int published = 0;
            for (int head : heads) {
                ring.publish(head);
                published++;
                if (rxSide) {
                    f.sendFromWire(NicFixture.frame(60, published));
                }
                String why = f.nic.needsResetReason();
                assertTrue(why == null || !why.startsWith("internal error"), why);
                if ((f.nic.status() & VirtioStatus.NEEDS_RESET) != 0) {
                    break; // a head >= queue size: the device stops this queue until reset
                }
            }
            NicCounters c = f.nic.counters();
            int used = ring.usedIdx();
            assertTrue(used <= published, "used " + used + " of " + published);
            if (!rxSide) {
                assertEquals(used, c.txFrames() + c.chainDrops(), "every TX chain sent or dropped: " + c.snapshot());
            }
            for (int i = 0; i < used; i++) {
                assertTrue(ring.usedId(i) >= 0 && ring.usedId(i) < 16, "used id is a head");
                long len = ring.usedLen(i) & 0xffff_ffffL;
                assertTrue(rxSide ? len == 0 || len == 72 : len == 0, "used length " + len);
            }
        }
    }
}
