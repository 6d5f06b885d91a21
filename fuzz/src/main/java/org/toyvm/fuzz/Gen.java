package org.toyvm.fuzz;

import java.util.SplittableRandom;

/**
 * The source of one input's randomness: uniform draws biased toward the values that break unsigned
 * and width arithmetic (0, 1, 2^31−1, 2^31, 2^32−1, 2^63, 2^64−1 and their neighbours), so that a
 * small fraction of draws lands on every edge while the rest explores.
 */
public final class Gen {
    /** Edge values of 64-bit fields (as raw bits). */
    static final long[] EDGES64 = {
        0, 1, 2, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0000L,
        0x1_0000_0001L, 0xffff_ffff_ffffL, 0x1_0000_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -2L, -4096L,
        0xffff_f000L, 4095, 4096, 4097
    };
    /** Edge values of 32-bit fields. */
    static final int[] EDGES32 = {
        0, 1, 2, 3, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -2,
        0x8000_0001, 4095, 4096, 255, 256, 257
    };

    private final SplittableRandom r;

    public Gen(long seed) {
        this.r = new SplittableRandom(seed);
    }

    public int below(int n) {
        return r.nextInt(n);
    }

    public boolean chance(int percent) {
        return r.nextInt(100) < percent;
    }

    public boolean bool() {
        return r.nextBoolean();
    }

    public long rawLong() {
        return r.nextLong();
    }

    /** A 32-bit value: an edge (1 in 4), a small number (1 in 4), or any bits. */
    public int int32() {
        return switch (r.nextInt(4)) {
            case 0 -> EDGES32[r.nextInt(EDGES32.length)];
            case 1 -> r.nextInt(300);
            default -> r.nextInt();
        };
    }

    /** A 64-bit value: an edge, an edge ± a small delta, a small number, or any bits. */
    public long int64() {
        return switch (r.nextInt(5)) {
            case 0 -> EDGES64[r.nextInt(EDGES64.length)];
            case 1 -> EDGES64[r.nextInt(EDGES64.length)] + r.nextInt(5) - 2;
            case 2 -> r.nextInt(1 << 16);
            default -> r.nextLong();
        };
    }

    /** A ring size: a power of two, one off a power of two, or an edge. */
    public int ringSize(int max) {
        int p = 1 << r.nextInt(Integer.numberOfTrailingZeros(max) + 2);
        return switch (r.nextInt(6)) {
            case 0 -> p + 1;
            case 1 -> p - 1;
            case 2 -> int32();
            default -> p;
        };
    }

    /** One of {@code xs}. */
    @SafeVarargs
    public final <T> T pick(T... xs) {
        return xs[r.nextInt(xs.length)];
    }

    public int pick(int[] xs) {
        return xs[r.nextInt(xs.length)];
    }

    public long pick(long[] xs) {
        return xs[r.nextInt(xs.length)];
    }

    public byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }
}
