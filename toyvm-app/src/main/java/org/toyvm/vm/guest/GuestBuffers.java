package org.toyvm.vm.guest;

import io.netty.buffer.ByteBuf;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.RamBlock;

/**
 * A pool of equal guest buffers from one GPA. The descriptor gets a buffer's GPA; the guest's own
 * loads and stores go to the RAM the pool resolved to through {@link GuestRam} — never to the GPA's
 * value taken as a RAM block offset, which is right only where the block is mapped at GPA 0.
 */
final class GuestBuffers {
    private final Gpa base;
    private final int count;
    private final int size;
    private final RamBlock block;
    private final long offset;

    /** @throws org.toyvm.core.mem.MemoryAccessException when the pool is not inside guest RAM */
    GuestBuffers(GuestRam ram, Gpa base, int count, int size) {
        this.base = base;
        this.count = count;
        this.size = size;
        GuestRam.RamSpan span = ram.span(base, (long) count * size);
        this.block = span.block();
        this.offset = span.offset();
    }

    /**
     * The same pool resolved in {@code ram} (a migrated guest's RAM at the same GPAs).
     *
     * @throws org.toyvm.core.mem.MemoryAccessException when the pool is not inside {@code ram}
     */
    GuestBuffers movedTo(GuestRam ram) {
        return new GuestBuffers(ram, base, count, size);
    }

    int size() {
        return size;
    }

    /** Guest physical address of buffer {@code id}: what the driver puts in a descriptor. */
    Gpa gpa(int id) {
        return base.plus((long) id * size);
    }

    /** Copies {@code len} bytes at {@code at} inside buffer {@code id} into {@code dst}. */
    void read(int id, int at, ByteBuf dst, int len) {
        block.readTo(offset + (long) id * size + at, dst, len);
    }

    /** Zeroes {@code zeroLen} bytes of buffer {@code id}, then copies {@code len} bytes of {@code src} after them. */
    void write(int id, int zeroLen, ByteBuf src, int len) {
        long at = offset + (long) id * size;
        block.zero(at, zeroLen);
        block.writeFrom(at + zeroLen, src, len);
    }
}
