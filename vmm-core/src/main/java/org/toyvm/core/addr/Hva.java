package org.toyvm.core.addr;

/**
 * A host virtual address: an address in the VMM process's host address space. A distinct type so that it cannot be mixed up with the other address kinds;
 * the value is an unsigned 64-bit number.
 */
public record Hva(long value) implements Comparable<Hva> {
    public static Hva of(long value) {
        return new Hva(value);
    }

    /** This address plus {@code offset}; throws when the unsigned sum wraps. */
    public Hva plus(long offset) {
        return new Hva(U64.addExact(value, offset));
    }

    /** The range of {@code size} bytes that starts here. */
    public AddrRange range(long size) {
        return AddrRange.ofSize(value, size);
    }

    @Override
    public int compareTo(Hva o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return "Hva(" + U64.hex(value) + ")";
    }
}
