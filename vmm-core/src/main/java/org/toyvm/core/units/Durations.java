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

    /** Nanoseconds as milliseconds (for JSON: times are in ms as numbers). */
    public static double toMillis(long nanos) {
        return nanos / 1e6;
    }
}
