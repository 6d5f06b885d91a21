package org.toyvm.core.addr;

/**
 * A non-empty range of unsigned 64-bit addresses {@code [start, last]} with an inclusive
 * {@code last}, so that all 2^64 addresses can be expressed (their size, 2^64, does not fit in a
 * {@code long}; {@link #coversAll()} says so and {@link #size()} then throws).
 *
 * <p>Kept untyped on purpose: it is the arithmetic shared by the typed GPA/IOVA/HVA views, the
 * IOTLB, the FlatView renderer and the pin ledger.
 */
public record AddrRange(long start, long last) implements Comparable<AddrRange> {
    /** Every address, [0, 2^64 − 1]. */
    public static final AddrRange ALL = new AddrRange(0, U64.MAX);

    public AddrRange {
        if (Long.compareUnsigned(start, last) > 0) {
            throw new IllegalArgumentException(
                    "range start " + U64.hex(start) + " is above its last " + U64.hex(last));
        }
    }

    /**
     * {@code [start, start + size - 1]}; size 0 or a range that wraps past 2^64 is refused.
     *
     * @throws IllegalArgumentException naming start and size
     */
    public static AddrRange ofSize(long start, long size) {
        if (size == 0) {
            throw new IllegalArgumentException("range at " + U64.hex(start) + " has size 0");
        }
        long last = start + size - 1;
        if (Long.compareUnsigned(last, start) < 0) {
            throw new IllegalArgumentException("range at " + U64.hex(start) + " of size "
                    + U64.hex(size) + " wraps past 2^64");
        }
        return new AddrRange(start, last);
    }

    /** Like {@link #ofSize} but answers null instead of throwing (for input validation). */
    public static AddrRange ofSizeOrNull(long start, long size) {
        if (size == 0) {
            return null;
        }
        long last = start + size - 1;
        return Long.compareUnsigned(last, start) < 0 ? null : new AddrRange(start, last);
    }

    public boolean coversAll() {
        return start == 0 && last == U64.MAX;
    }

    /** Size in bytes; throws for the full 2^64 range (use {@link #coversAll()} first). */
    public long size() {
        if (coversAll()) {
            throw new ArithmeticException("the full 64-bit range has size 2^64, which does not fit");
        }
        return last - start + 1;
    }

    /** {@code last + 1}, the exclusive end; throws when that is 2^64. */
    public long end() {
        if (last == U64.MAX) {
            throw new ArithmeticException("range " + this + " ends at 2^64");
        }
        return last + 1;
    }

    public boolean contains(long addr) {
        return U64.le(start, addr) && U64.le(addr, last);
    }

    public boolean contains(AddrRange other) {
        return U64.le(start, other.start) && U64.le(other.last, last);
    }

    public boolean overlaps(AddrRange other) {
        return U64.le(start, other.last) && U64.le(other.start, last);
    }

    /** The overlap, or null when there is none. */
    public AddrRange intersect(AddrRange other) {
        long s = U64.max(start, other.start);
        long l = U64.min(last, other.last);
        return U64.le(s, l) ? new AddrRange(s, l) : null;
    }

    /** This range moved by {@code delta} (two's complement, so negative moves work); must not wrap. */
    public AddrRange shift(long delta) {
        long s = start + delta;
        long l = last + delta;
        if (Long.compareUnsigned(s, l) > 0) {
            throw new ArithmeticException("shifting " + this + " by " + delta + " wraps");
        }
        return new AddrRange(s, l);
    }

    @Override
    public int compareTo(AddrRange o) {
        int c = Long.compareUnsigned(start, o.start);
        return c != 0 ? c : Long.compareUnsigned(last, o.last);
    }

    @Override
    public String toString() {
        return "[" + U64.hex(start) + ", " + U64.hex(last) + "]";
    }
}
