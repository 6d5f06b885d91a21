package org.toyvm.hw.queue;

import org.toyvm.core.mem.RamBlock;

/**
 * One ring area of a queue (descriptor table, avail ring or used ring) resolved to host memory: the
 * RAM block and offset it starts at when the whole area is reachable, with the access the device
 * needs, through one run of one block. When it is not (a hole, a permission, a split over blocks),
 * the queue goes through {@link DmaEngine} field by field, so each fault is counted exactly where it
 * happens, as it was before areas were resolved.
 */
final class RingArea {
    /** Null when the area is not resolved (not tried yet, or not reachable whole). */
    RamBlock block;
    long offset;

    /** Tries to resolve {@code len} bytes at {@code iova}; a failure is not a fault (see the class comment). */
    void resolve(DmaEngine dma, int asid, long iova, long len, int perm) {
        block = null;
        if (len <= Integer.MAX_VALUE && dma.probe(asid, iova, (int) len, perm)) {
            block = dma.singleBlock();
            offset = block == null ? 0 : dma.singleOffset();
        }
    }

    void clear() {
        block = null;
    }
}
