package org.toyvm.vdpa.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
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

    @Provide
    Arbitrary<List<Desc>> tables() {
        Arbitrary<Long> addr = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0x40000, 0x48000)),
                Tuple.of(2, Arbitraries.of(0x60000L, 0x60010L, 0x60008L)), // the indirect table
                Tuple.of(1, Arbitraries.longs().between(NicFixture.RAM - 0x100, NicFixture.RAM + 0x100)),
                Tuple.of(2, Arbitraries.of(0L, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, Long.MIN_VALUE, -1L,
                        -16L, -72L)));
        Arbitrary<Long> len = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 200)),
                Tuple.of(2, Arbitraries.of(12L, 16L, 32L, 72L, 256L, 1514L, 1526L, 2048L)),
                Tuple.of(2, Arbitraries.of(0x7fff_ffffL, 0x8000_0000L, 0xffff_fff0L, 0xffff_ffffL)));
        Arbitrary<Integer> flags = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 7)),
                Tuple.of(1, Arbitraries.of(0x7fff, 0x8000, 0xffff, 0x8001, 0x8002)));
        Arbitrary<Integer> next = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0, 15)),
                Tuple.of(1, Arbitraries.of(16, 0x7fff, 0x8000, 0xffff)));
        return Combinators.combine(addr, len, flags, next).as(Desc::new).list().ofSize(32);
    }

    @Provide
    Arbitrary<List<Integer>> heads() {
        return Arbitraries.frequencyOf(
                Tuple.of(80, Arbitraries.integers().between(0, 15)),
                Tuple.of(1, Arbitraries.of(16, 0x7fff, 0x8000, 0xffff))).list().ofMinSize(1).ofMaxSize(24);
    }

    @Property(tries = 300, seed = "1130")
    void anyRingContentIsSurvived(@ForAll("tables") List<Desc> descs, @ForAll("heads") List<Integer> heads,
            @ForAll boolean rxSide, @ForAll boolean indirect, @ForAll boolean eventIdx) {
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
            Statistics.label("outcome").collect(
                    (f.nic.status() & VirtioStatus.NEEDS_RESET) != 0 ? "needs reset"
                            : c.chainDrops() > 0 ? "chains dropped" : ring.usedIdx() > 0 ? "all used" : "none used");
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
