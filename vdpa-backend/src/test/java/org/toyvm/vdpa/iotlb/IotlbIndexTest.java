package org.toyvm.vdpa.iotlb;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.addr.U64;
import org.toyvm.core.testing.Props;
import org.toyvm.hw.api.DmaEntry;

/**
 * The bucketed lookup index answers as a linear scan does, whatever the spread of the starts: evenly
 * spaced (one entry per bucket), crowded into one bucket beside a far-away entry (the search within
 * a bucket), and at both ends of the unsigned 64-bit space.
 */
class IotlbIndexTest {
    private static IotlbIndex indexOf(List<DmaEntry> es) {
        TreeMap<Long, DmaEntry> m = new TreeMap<>(Long::compareUnsigned);
        es.forEach(e -> m.put(e.start(), e));
        return new IotlbIndex(m.values(), m.size());
    }

    private static DmaEntry scan(List<DmaEntry> es, long iova) {
        return es.stream().filter(e -> e.contains(iova)).findFirst().orElse(null);
    }

    @Test
    void emptyAndSingleEntry() {
        assertNull(IotlbIndex.EMPTY.find(0));
        DmaEntry e = new DmaEntry(0x1000, 0x1fff, 0, DmaEntry.PERM_RW, false);
        IotlbIndex one = indexOf(List.of(e));
        assertNull(one.find(0xfff));
        assertSame(e, one.find(0x1000));
        assertSame(e, one.find(0x1fff));
        assertNull(one.find(0x2000));
        assertNull(one.find(U64.MAX));
    }

    @Test
    void denseRunBesideAFarEntryAndTheTopOfTheSpace() {
        List<DmaEntry> es = new ArrayList<>();
        for (long i = 0; i < 5000; i++) {
            es.add(new DmaEntry(0x10_0000 + i * 0x1000, 0x10_0000 + i * 0x1000 + 0x7ff, i, DmaEntry.PERM_RW, false));
        }
        es.add(new DmaEntry(U64.MAX - 0xfff, U64.MAX, 7, DmaEntry.PERM_RO, false));
        es.add(new DmaEntry(1L << 63, (1L << 63) + 0xfff, 8, DmaEntry.PERM_RO, false));
        IotlbIndex idx = indexOf(es);
        for (long p = 0xf_f000; p < 0x10_0000 + 5001 * 0x1000; p += 0x3ff) {
            assertSame(scan(es, p), idx.find(p), U64.hex(p));
        }
        for (long p : new long[] {U64.MAX, U64.MAX - 0xfff, U64.MAX - 0x1000, 1L << 63, (1L << 63) - 1,
                (1L << 63) + 0x1000, 0}) {
            assertSame(scan(es, p), idx.find(p), U64.hex(p));
        }
    }

    static Gen<List<long[]>> ranges() {
        // Starts anywhere in 2^64 or clustered near 0 / near 2^63 / near 2^64, lengths up to 2^20.
        Gen<Long> base = SourceDSL.integers().between(0, 3).map(k -> switch (k) {
            case 0 -> 0L;
            case 1 -> 1L << 63;
            case 2 -> -(1L << 32);
            default -> 0x5555_0000_0000L;
        });
        Gen<long[]> r = base.zip(SourceDSL.longs().between(0, 1L << 28), SourceDSL.longs().between(0, 1 << 20),
                (b, off, len) -> new long[] {b + off, len});
        return SourceDSL.lists().of(r).ofSizeBetween(1, 300);
    }

    @Test
    @Tag(Props.TAG)
    void answersMatchALinearScan(TestInfo info) {
        Props.qt(info, 200).forAll(ranges()).checkAssert(rs -> {
            List<DmaEntry> es = new ArrayList<>();
            for (long[] r : rs) {
                long s = r[0];
                long l = U64.addOverflows(s, r[1]) ? U64.MAX : s + r[1];
                if (es.stream().noneMatch(e -> U64.le(e.start(), l) && U64.ge(e.last(), s))) {
                    es.add(new DmaEntry(s, l, s, DmaEntry.PERM_RW, false));
                }
            }
            IotlbIndex idx = indexOf(es);
            for (DmaEntry e : es) {
                for (long p : new long[] {e.start() - 1, e.start(), e.start() + (e.last() - e.start()) / 2, e.last(),
                        e.last() + 1}) {
                    assertSame(scan(es, p), idx.find(p), U64.hex(p));
                }
            }
        });
    }
}
