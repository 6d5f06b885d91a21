package org.toyvm.core.units;

import java.math.BigDecimal;
import java.util.Locale;

/** Durations as users write them: a number with a unit of ns, us, ms or s; kept as nanoseconds. */
public final class Durations {
    private Durations() {
    }

    /**
     * Parses {@code 10ms}, {@code 1.5s}, {@code 250us}, {@code 76ns}.
     *
     * @throws IllegalArgumentException naming the value and the accepted form
     */
    public static long parseNanos(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        long unit;
        String num;
        if (t.endsWith("ns")) {
            unit = 1;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("us") || t.endsWith("µs")) {
            unit = 1_000;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("ms")) {
            unit = 1_000_000;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            unit = 1_000_000_000;
            num = t.substring(0, t.length() - 1);
        } else {
            throw bad(text);
        }
        try {
            BigDecimal v = new BigDecimal(num.trim()).multiply(BigDecimal.valueOf(unit));
            if (v.signum() < 0) {
                throw new IllegalArgumentException("bad duration '" + text + "': must not be negative");
            }
            return v.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(text);
        }
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("bad duration '" + text
                + "': expected a number with a unit of ns, us, ms or s, e.g. 10ms");
    }

    /** Nanoseconds as a compact string with the largest exact unit: 10ms, 1500us, 2s. */
    public static String format(long nanos) {
        if (nanos != 0 && nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos != 0 && nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos != 0 && nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }

    /**
     * {@code a + b} for non-negative nanosecond values, clamped at {@link Long#MAX_VALUE} instead of
     * wrapping: a deadline that far away is "never" (292 years of clock), never a time in the past.
     * A negative operand is treated as 0 (a delay cannot move a clock back).
     */
    public static long addSaturating(long a, long b) {
        long x = Math.max(0, a);
        long y = Math.max(0, b);
        return x > Long.MAX_VALUE - y ? Long.MAX_VALUE : x + y;
    }

    /** {@code n * each} for non-negative values, clamped at {@link Long#MAX_VALUE}. */
    public static long multiplySaturating(long n, long each) {
        long x = Math.max(0, n);
        long y = Math.max(0, each);
        return y != 0 && x > Long.MAX_VALUE / y ? Long.MAX_VALUE : x * y;
    }

    /**
     * {@code a + b} for non-negative nanosecond values, refusing a sum past the representable clock.
     *
     * @param what names the sum for the message, e.g. "warm-up + 3 reboots × timeout"
     * @throws ClockOverflowException when the sum does not fit in a signed 64-bit nanosecond count
     */
    public static long addChecked(long a, long b, String what) {
        if (a < 0 || b < 0) {
            throw new IllegalArgumentException(what + ": negative duration");
        }
        if (a > Long.MAX_VALUE - b) {
            throw new ClockOverflowException(what);
        }
        return a + b;
    }

    /** {@code n * each}, refusing a product past the representable clock (see {@link #addChecked}). */
    public static long multiplyChecked(long n, long each, String what) {
        if (n < 0 || each < 0) {
            throw new IllegalArgumentException(what + ": negative duration");
        }
        if (each != 0 && n > Long.MAX_VALUE / each) {
            throw new ClockOverflowException(what);
        }
        return n * each;
    }

    /** A time that does not fit the 64-bit nanosecond clock (about 292 years): a user error. */
    public static final class ClockOverflowException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public ClockOverflowException(String what) {
            super(what + " exceeds the longest time toyvm can represent (" + MAX_TEXT + ")");
        }
    }

    /** {@link Long#MAX_VALUE} nanoseconds in words. */
    public static final String MAX_TEXT = "9223372036.854775807s, about 292 years";

    /** Nanoseconds as milliseconds (for JSON: times are in ms as numbers). */
    public static double toMillis(long nanos) {
        return nanos / 1e6;
    }
}
