package org.toyvm.core.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Time sums on the run path never wrap: they saturate, or are refused as a user error. */
class DurationArithmeticTest {
    private static final long MAX = Long.MAX_VALUE;

    @Test
    void saturatingSumsStopAtTheEndOfTheClock() {
        assertEquals(3, Durations.addSaturating(1, 2));
        assertEquals(MAX, Durations.addSaturating(MAX, 1));
        assertEquals(MAX, Durations.addSaturating(MAX - 5, 9_223_372_036_000_000_000L));
        assertEquals(MAX, Durations.addSaturating(MAX, MAX));
        assertEquals(5, Durations.addSaturating(5, -7), "a negative delay does not move the clock back");
        assertEquals(0, Durations.addSaturating(Long.MIN_VALUE, Long.MIN_VALUE));
        assertEquals(MAX, Durations.multiplySaturating(1L << 32, 1L << 32));
        assertEquals(6, Durations.multiplySaturating(2, 3));
        assertEquals(0, Durations.multiplySaturating(MAX, 0));
    }

    @Test
    void checkedSumsRefuseWhatTheClockCannotHold() {
        assertEquals(MAX, Durations.addChecked(MAX - 1, 1, "x"));
        Durations.ClockOverflowException e = assertThrows(Durations.ClockOverflowException.class,
                () -> Durations.addChecked(MAX, 1, "--timeout"));
        assertTrue(e.getMessage().startsWith("--timeout exceeds"), e.getMessage());
        assertTrue(e instanceof IllegalArgumentException, "a user error (exit 2)");
        assertThrows(Durations.ClockOverflowException.class, () -> Durations.multiplyChecked(3, MAX / 2, "x"));
        assertEquals(MAX - 1, Durations.multiplyChecked(2, MAX / 2, "x"));
        assertThrows(IllegalArgumentException.class, () -> Durations.addChecked(-1, 1, "x"));
        // The values: 9223372036 s is representable alone, not with a minute added.
        long nine = Durations.parseNanos("9223372036s");
        assertThrows(Durations.ClockOverflowException.class, () -> Durations.addChecked(nine, 60_000_000_000L, "x"));
    }
}
