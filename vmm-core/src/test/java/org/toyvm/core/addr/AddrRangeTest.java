package org.toyvm.core.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;

class AddrRangeTest {
    @Test
    void edgesOfTheSpace() {
        AddrRange first = AddrRange.ofSize(0, 1);
        assertEquals(0, first.last());
        AddrRange top = AddrRange.ofSize(U64.MAX, 1);
        assertEquals(U64.MAX, top.last());
        assertThrows(ArithmeticException.class, top::end, "2^64 does not fit");
        assertTrue(AddrRange.ALL.coversAll());
        assertThrows(ArithmeticException.class, AddrRange.ALL::size);
        assertEquals(U64.MAX, AddrRange.ofSize(1, U64.MAX).last(), "[1, 2^64-1] has size 2^64-1");
    }

    @Test
    void wrapAroundIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AddrRange.ofSize(U64.MAX, 2));
        assertThrows(IllegalArgumentException.class, () -> AddrRange.ofSize(0x10, 0));
        assertThrows(IllegalArgumentException.class, () -> new AddrRange(5, 4));
        assertNull(AddrRange.ofSizeOrNull(-0x1000L, 0x2000));
        assertThrows(ArithmeticException.class, () -> U64.addExact(U64.MAX, 1));
        assertThrows(ArithmeticException.class, () -> Gpa.of(U64.MAX).plus(1));
        assertEquals(Iova.of(0x2000), Iova.of(0x1000).plus(0x1000));
    }

    @Test
    void pages() {
        assertEquals(1, Pages.spanned(0xfff, 1));
        assertEquals(2, Pages.spanned(0xfff, 2));
        assertEquals(1L << 52, Pages.spanned(AddrRange.ALL));
        assertEquals(0x2000, Pages.alignUp(0x1001));
        assertThrows(ArithmeticException.class, () -> Pages.alignUp(U64.MAX));
    }

    private static BigInteger u(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    /**
     * Any 64-bit value, with the edges of the unsigned space and small values mixed in (what the former
     * generator's edge cases and small-number bias gave), so ranges touch, nest and reach 2^64-1.
     */
    static Gen<Long> u64() {
        return Generate.frequency(
                Pair.of(6, SourceDSL.longs().all()),
                Pair.of(2, Generate.longRange(0, 0x1_0000)),
                Pair.of(2, Generate.pick(List.of(0L, 1L, 2L, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0000L,
                        Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, -2L, -1L))));
    }

    @Test
    @Tag(Props.TAG)
    void overlapAndIntersectAgreeWithBigIntegers(TestInfo info) {
        Props.qt(info, 500).forAll(u64(), u64(), u64(), u64()).checkAssert(AddrRangeTest::overlapAndIntersect);
    }

    private static void overlapAndIntersect(long a, long b, long c, long d) {
        AddrRange x = new AddrRange(U64.min(a, b), U64.max(a, b));
        AddrRange y = new AddrRange(U64.min(c, d), U64.max(c, d));
        BigInteger s = u(x.start()).max(u(y.start()));
        BigInteger l = u(x.last()).min(u(y.last()));
        boolean overlap = s.compareTo(l) <= 0;
        assertEquals(overlap, x.overlaps(y));
        AddrRange i = x.intersect(y);
        if (overlap) {
            assertEquals(s, u(i.start()));
            assertEquals(l, u(i.last()));
            assertTrue(x.contains(i) && y.contains(i));
        } else {
            assertNull(i);
        }
    }
}
