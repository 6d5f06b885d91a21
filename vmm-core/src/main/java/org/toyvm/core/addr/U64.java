package org.toyvm.core.addr;

/**
 * Unsigned 64-bit arithmetic on {@code long}, done explicitly.
 *
 * <p>Guest, IO-virtual and host addresses are unsigned 64-bit values. Java's {@code long} is
 * signed, so every comparison goes through {@link Long#compareUnsigned} and every addition that
 * may wrap is checked here ({@link Math#addExact} checks signed overflow, which is the wrong rule).
 */
public final class U64 {
    /** 2^64 − 1, the last address. */
    public static final long MAX = -1L;

    private U64() {
    }

    public static int compare(long a, long b) {
        return Long.compareUnsigned(a, b);
    }

    public static boolean lt(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    public static boolean le(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0;
    }

    public static boolean gt(long a, long b) {
        return Long.compareUnsigned(a, b) > 0;
    }

    public static boolean ge(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0;
    }

    public static long min(long a, long b) {
        return lt(a, b) ? a : b;
    }

    public static long max(long a, long b) {
        return gt(a, b) ? a : b;
    }

    /** True when {@code a + b} does not fit in 64 unsigned bits. */
    public static boolean addOverflows(long a, long b) {
        return Long.compareUnsigned(a + b, a) < 0;
    }

    /** {@code a + b}, or {@link ArithmeticException} when the unsigned sum wraps past 2^64. */
    public static long addExact(long a, long b) {
        long r = a + b;
        if (Long.compareUnsigned(r, a) < 0) {
            throw new ArithmeticException("unsigned 64-bit overflow: " + hex(a) + " + " + hex(b));
        }
        return r;
    }

    /** {@code a - b}, or {@link ArithmeticException} when {@code b > a}. */
    public static long subExact(long a, long b) {
        if (Long.compareUnsigned(b, a) > 0) {
            throw new ArithmeticException("unsigned 64-bit underflow: " + hex(a) + " - " + hex(b));
        }
        return a - b;
    }

    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    public static String dec(long v) {
        return Long.toUnsignedString(v);
    }

    /** Unsigned value as a double (for reports and cost arithmetic of huge sizes). */
    public static double toDouble(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1L);
    }
}
