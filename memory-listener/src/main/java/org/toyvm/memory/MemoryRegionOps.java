package org.toyvm.memory;

/** Callbacks of an MMIO / io region (QEMU's MemoryRegionOps): offsets are within the region. */
public interface MemoryRegionOps {
    /** Reads {@code size} (1, 2, 4 or 8) bytes at {@code offset}, little-endian in the low bits. */
    long read(long offset, int size);

    /** Writes the low {@code size} bytes of {@code value} at {@code offset}. */
    void write(long offset, long value, int size);
}
