package org.toyvm.memory;

/** The kinds of MemoryRegion (QEMU include/system/memory.h). */
public enum RegionKind {
    /** Only holds subregions. */
    CONTAINER(false, false),
    /** Guest RAM backed by a RAM block. */
    RAM(true, true),
    /** RAM that is read-only to the guest. */
    ROM(true, true),
    /** Device memory mapped into the guest (a doorbell page): is_ram, but never DMA-mapped. */
    RAM_DEVICE(true, true),
    /** A RAM block read directly in romd mode, writes go to callbacks; is_ram is false. */
    ROM_DEVICE(true, false),
    /** MMIO / port io: callbacks. */
    IO(true, false),
    /** A window onto another region. */
    ALIAS(false, false);

    private final boolean terminates;
    private final boolean isRam;

    RegionKind(boolean terminates, boolean isRam) {
        this.terminates = terminates;
        this.isRam = isRam;
    }

    public boolean terminates() {
        return terminates;
    }

    public boolean isRam() {
        return isRam;
    }
}
