package org.toyvm.core.addr;

/**
 * A IO virtual address: what a device puts on the bus and the IOTLB translates. A distinct type so that it cannot be mixed up with the other address kinds;
 * the value is an unsigned 64-bit number.
 */
public record Iova(long value) implements Comparable<Iova> {
    public static Iova of(long value) {
        return new Iova(value);
    }

    /** This address plus {@code offset}; throws when the unsigned sum wraps. */
    public Iova plus(long offset) {
        return new Iova(U64.addExact(value, offset));
    }

    /** The range of {@code size} bytes that starts here. */
    public AddrRange range(long size) {
        return AddrRange.ofSize(value, size);
    }

    @Override
    public int compareTo(Iova o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return "Iova(" + U64.hex(value) + ")";
    }
}
