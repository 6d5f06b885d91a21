package org.toyvm.core.addr;

/**
 * A guest physical address: the guest's view of its memory. A distinct type so that it cannot be mixed up with the other address kinds;
 * the value is an unsigned 64-bit number.
 */
public record Gpa(long value) implements Comparable<Gpa> {
    public static Gpa of(long value) {
        return new Gpa(value);
    }

    /** This address plus {@code offset}; throws when the unsigned sum wraps. */
    public Gpa plus(long offset) {
        return new Gpa(U64.addExact(value, offset));
    }

    /** The range of {@code size} bytes that starts here. */
    public AddrRange range(long size) {
        return AddrRange.ofSize(value, size);
    }

    @Override
    public int compareTo(Gpa o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return "Gpa(" + U64.hex(value) + ")";
    }
}
