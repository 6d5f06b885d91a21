package org.toyvm.core.mem;

import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.U64;

/**
 * Guest RAM as the guest's driver sees it: by guest physical address. Resolving a GPA range gives
 * the RAM block and the offset inside it, so a caller never mistakes a GPA for a block offset (they
 * coincide only when the block happens to start at GPA 0).
 *
 * <p>The machine's address space implements this over its flat view; {@link #at(RamBlock, Gpa)} is
 * the one-block case tests and benchmarks use.
 */
public interface GuestRam {

    /**
     * The block and offset holding {@code [gpa, gpa+len)}.
     *
     * @throws MemoryAccessException when the range is not inside one RAM block
     */
    RamSpan span(Gpa gpa, long len);

    /** Where a GPA range lives: {@code block} from {@code offset}. */
    record RamSpan(RamBlock block, long offset) {
    }

    /** One RAM block mapped at {@code base}: GPA {@code base + x} is block offset {@code x}. */
    static GuestRam at(RamBlock block, Gpa base) {
        return (gpa, len) -> {
            long off = gpa.value() - base.value();
            if (U64.lt(gpa.value(), base.value()) || !block.fits(off, len)) {
                throw new MemoryAccessException(len + " bytes at " + gpa + " are outside RAM block '"
                        + block.name() + "' mapped at " + base);
            }
            return new RamSpan(block, off);
        };
    }
}
