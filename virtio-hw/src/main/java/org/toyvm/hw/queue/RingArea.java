package org.toyvm.hw.queue;

import org.toyvm.core.mem.ChunkView;
import org.toyvm.core.mem.RamBlock;

/**
 * One ring area of a queue (descriptor table, avail ring or used ring) resolved to host memory: the
 * RAM block and offset it starts at when the whole area is reachable, with the access the device
 * needs, through one run of one block. When it is not (a hole, a permission, a split over blocks),
 * the queue goes through {@link DmaEngine} field by field, so each fault is counted exactly where it
 * happens, as it was before areas were resolved.
 *
 * <p>A resolved area that lies inside one allocated chunk of its block is also held as a
 * {@link ChunkView}, so ring fields are plain array accesses (a chunk lookup per field was a large
 * part of a packet's cost). The view is (re)opened lazily: an area whose chunk is not allocated yet,
 * or was dropped, goes through the block (reads zeros, a write allocates) until it is.
 */
final class RingArea {
    /** Null when the area is not resolved (not tried yet, or not reachable whole). */
    RamBlock block;
    long offset;
    private int len;
    private final ChunkView view = new ChunkView();

    /** Tries to resolve {@code len} bytes at {@code iova}; a failure is not a fault (see the class comment). */
    void resolve(DmaEngine dma, int asid, long iova, long len, int perm) {
        clear();
        if (len <= Integer.MAX_VALUE && dma.probe(asid, iova, (int) len, perm)) {
            block = dma.singleBlock();
            offset = block == null ? 0 : dma.singleOffset();
            this.len = (int) len;
        }
    }

    /** The area as a view of one chunk, or null: use {@link #block} (or the DMA engine when that is null). */
    ChunkView view() {
        if (view.valid()) {
            return view;
        }
        return block != null && view.open(block, offset, len) ? view : null;
    }

    void clear() {
        block = null;
        view.close();
    }
}
