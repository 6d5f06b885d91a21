package org.toyvm.vm.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RamTransferTest {
    private static final long GIB = 1L << 30;
    private static final long MS = 1_000_000L;

    @Test
    void roundsShrinkByTheDirtyToBandwidthRatioUntilTheRestFitsTheDowntimeLimit() {
        // 64 GiB at 1 GiB/s dirtied at 64 MiB/s: 64 s, then 4 GiB (4 s), 256 MiB ≤ 307.2 MiB threshold.
        RamTransfer t = RamTransfer.plan(64 * GIB, GIB, 64L << 20, 300 * MS);
        assertTrue(t.converged());
        assertEquals(2, t.rounds().size());
        assertEquals(64 * GIB, t.rounds().get(0).bytes());
        assertEquals(64_000 * MS, t.rounds().get(0).ns());
        assertEquals(4 * GIB, t.rounds().get(1).bytes());
        assertEquals(256L << 20, t.stopCopyBytes());
        assertEquals(250 * MS, t.stopCopyNs());
        assertEquals(68_000 * MS, t.precopyNs());
    }

    @Test
    void anIdleGuestConvergesAfterOneRoundAndASmallGuestGoesStraightToStopAndCopy() {
        RamTransfer idle = RamTransfer.plan(8 * GIB, GIB, 0, 300 * MS);
        assertTrue(idle.converged());
        assertEquals(1, idle.rounds().size());
        assertEquals(0, idle.stopCopyBytes());
        RamTransfer tiny = RamTransfer.plan(256L << 20, GIB, 0, 300 * MS);
        assertEquals(0, tiny.rounds().size(), "256 MiB fits in 300 ms at 1 GiB/s: no pre-copy round");
        assertEquals(250 * MS, tiny.stopCopyNs());
    }

    @Test
    void aDirtyRateAtOrAboveTheBandwidthNeverConverges() {
        RamTransfer t = RamTransfer.plan(8 * GIB, GIB, 2 * GIB, 300 * MS);
        assertFalse(t.converged());
        assertEquals(2, t.rounds().size(), "the second round did not shrink: the model stops there");
        RamTransfer slow = RamTransfer.plan(8 * GIB, GIB, GIB - 1, 0);
        assertFalse(slow.converged(), "a zero downtime limit is never met while anything is dirtied");
        assertEquals(RamTransfer.MAX_ROUNDS, slow.rounds().size());
    }

    @Test
    void nonPositiveInputsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RamTransfer.plan(0, GIB, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> RamTransfer.plan(GIB, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> RamTransfer.plan(GIB, GIB, -1, 0));
    }
}
