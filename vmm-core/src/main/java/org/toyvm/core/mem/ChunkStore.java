package org.toyvm.core.mem;

import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;

/**
 * The sparse backing of one {@link RamBlock}: its {@value RamBlock#CHUNK_SIZE}-byte chunks by index,
 * allocated on first write, a small cache of the chunks touched last, and the count of chunks given
 * back ({@link #drops()}), which is what tells a {@link ChunkView} its array is no longer the block's
 * memory. Package-private: only the block and its views see chunks.
 *
 * <p>{@link #copyTo} is QEMU's RAM migration of one RAMBlock reduced to what the model needs
 * (ram_save_iterate sends the dirty pages, ram_load writes each at the same offset of the
 * destination's block with the same idstr): only materialized chunks are sent, as a never-written
 * page is the zero page the destination already reads.
 */
final class ChunkStore {
    private final LongObjectHashMap<byte[]> chunks = new LongObjectHashMap<>();
    // The last few chunks touched: avoids most map lookups. One entry is not enough (a device
    // alternates between its rings and a buffer or two), and four were not either: the driver's two
    // rings and a TX and an RX buffer chunk already fill them, so every change of buffer chunk evicted
    // a hot entry and missed again. Replaced round-robin.
    private static final int CACHED = 8;
    private final long[] cachedIndex = {-1, -1, -1, -1, -1, -1, -1, -1};
    private final byte[][] cachedChunk = new byte[CACHED][];
    private int cachedNext;
    private long drops;

    /** Number of chunks allocated. */
    int count() {
        return chunks.size();
    }

    /** How many chunks have been given back so far (see {@link RamBlock#chunkDrops()}). */
    long drops() {
        return drops;
    }

    private byte[] cached(long index) {
        for (int i = 0; i < CACHED; i++) {
            if (cachedIndex[i] == index) {
                return cachedChunk[i];
            }
        }
        return null;
    }

    private void cache(long index, byte[] c) {
        cachedIndex[cachedNext] = index;
        cachedChunk[cachedNext] = c;
        cachedNext = (cachedNext + 1) & (CACHED - 1);
    }

    /** Chunk {@code index}, or null when it is not allocated (reads as zeros). */
    byte[] forRead(long index) {
        byte[] c = cached(index);
        if (c != null) {
            return c;
        }
        c = chunks.get(index);
        if (c != null) {
            cache(index, c);
        }
        return c;
    }

    /** Chunk {@code index}, allocated (zeroed) if it was not. */
    byte[] forWrite(long index) {
        byte[] c = cached(index);
        if (c != null) {
            return c;
        }
        c = chunks.get(index);
        if (c == null) {
            c = new byte[RamBlock.CHUNK_SIZE];
            chunks.put(index, c);
        }
        cache(index, c);
        return c;
    }

    /** Gives chunk {@code index} back (it reads as zeros again); counted when it was allocated. */
    void drop(long index) {
        if (chunks.remove(index) != null) {
            drops++;
        }
        for (int i = 0; i < CACHED; i++) {
            if (cachedIndex[i] == index) {
                cachedIndex[i] = -1;
                cachedChunk[i] = null;
            }
        }
    }

    /**
     * Makes {@code dst} hold exactly this store's contents and answers the bytes copied (the
     * allocated chunks' total). A chunk {@code dst} holds and this one does not is dropped, so it reads
     * zeros as here and any view on it turns invalid; a chunk both hold is overwritten in place, so a
     * view on it stays valid and reads the copied bytes; a chunk only this one holds is allocated in
     * {@code dst} (no view can be open on a chunk that was not allocated).
     */
    long copyTo(ChunkStore dst) {
        long[] stale = new long[dst.chunks.size()];
        int n = 0;
        for (LongObjectMap.PrimitiveEntry<byte[]> e : dst.chunks.entries()) {
            if (!chunks.containsKey(e.key())) {
                stale[n++] = e.key();
            }
        }
        for (int i = 0; i < n; i++) {
            dst.drop(stale[i]);
        }
        long copied = 0;
        for (LongObjectMap.PrimitiveEntry<byte[]> e : chunks.entries()) {
            System.arraycopy(e.value(), 0, dst.forWrite(e.key()), 0, RamBlock.CHUNK_SIZE);
            copied += RamBlock.CHUNK_SIZE;
        }
        return copied;
    }
}
