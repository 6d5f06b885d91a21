package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;

/** The layout of 16 queue pairs and the control queue: pair 0 where it always was, nothing overlapping, all below 64 MiB. */
class GuestLayoutPairsTest {
    private record Area(String what, long from, long len) {
    }

    @Test
    void sixteenPairsAndTheControlQueueDoNotOverlapAndFitBelow64MiB() {
        GuestLayout l = GuestLayout.DEFAULT;
        assertEquals(l.rxRing(), l.rxRing(0));
        assertEquals(l.txRing(), l.txRing(0));
        assertEquals(l.rxBufs(), l.rxBufs(0));
        assertEquals(l.txBufs(), l.txBufs(0));
        List<Area> areas = new ArrayList<>();
        for (int k = 0; k < GuestLayout.MAX_PAIRS; k++) {
            areas.add(new Area("rx ring " + k, l.rxRing(k).value(), GuestLayout.RING_SLOT));
            areas.add(new Area("tx ring " + k, l.txRing(k).value(), GuestLayout.RING_SLOT));
            areas.add(new Area("rx bufs " + k, l.rxBufs(k).value(), l.poolBytes()));
            areas.add(new Area("tx bufs " + k, l.txBufs(k).value(), l.poolBytes()));
        }
        areas.add(new Area("ctrl ring", l.ctrlRing().value(), GuestLayout.RING_SLOT));
        areas.add(new Area("ctrl bufs", l.ctrlBufs().value(), GuestLayout.RING_SLOT));
        long end = 0;
        for (Area a : areas) {
            end = Math.max(end, a.from + a.len);
            for (Area b : areas) {
                if (a != b) {
                    assertTrue(a.from + a.len <= b.from || b.from + b.len <= a.from, a + " overlaps " + b);
                }
            }
        }
        assertEquals(end, l.end(GuestLayout.MAX_PAIRS).value());
        assertTrue(end <= 64L << 20, "ends at " + end);
        assertEquals(l.txBufs().plus(l.poolBytes()), l.end(1));
    }

    @Test
    void aPairPastTheLastIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> GuestLayout.DEFAULT.rxRing(GuestLayout.MAX_PAIRS));
        assertThrows(IllegalArgumentException.class, () -> GuestLayout.at(Gpa.of(0)).txBufs(-1));
    }
}
