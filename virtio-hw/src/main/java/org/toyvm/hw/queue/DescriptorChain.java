package org.toyvm.hw.queue;

import org.toyvm.core.addr.U64;
import org.toyvm.core.virtio.SplitRing;

/**
 * A descriptor chain as an iterator with a bound on its length (after rust-vmm virtio-queue's
 * DescriptorChain): {@link #next()} yields the chain's buffers in order, following {@code next}
 * links and, once, an indirect table. The walk never visits more descriptors than the table holds,
 * so a loop ends as {@link ChainError#TOO_LONG} instead of hanging.
 *
 * <p>One instance is reused for every chain of a queue (no allocation per packet):
 * {@link SplitQueue#chain} starts a new walk, {@link #rewind()} walks the same chain again; the yielded
 * {@link Descriptor} is overwritten by the next call. Each descriptor is read in one 16-byte access,
 * from the queue's resolved descriptor table or, for an indirect table, through the DMA engine.
 */
public final class DescriptorChain {
    /** One buffer of the chain (reused). */
    public static final class Descriptor {
        long addr;
        int len;
        int flags;

        public long addr() {
            return addr;
        }

        /** Length as an unsigned 32-bit value. */
        public long len() {
            return len & 0xffff_ffffL;
        }

        public boolean writable() {
            return (flags & SplitRing.DESC_F_WRITE) != 0;
        }
    }

    private final SplitQueue queue;
    private final Descriptor out = new Descriptor();
    /** Returned by {@link #decode()} when the walk moved into an indirect table; never handed out. */
    private final Descriptor enteredIndirect = new Descriptor();
    /** The descriptor just read: address, then len | flags << 32 | next << 48 (little-endian layout). */
    private final long[] raw = new long[2];
    private long ringTable;
    private int head;
    private long table;
    private int tableSize;
    private int queueSize;
    private boolean indirectAllowed;
    private boolean inIndirect;
    private int index;
    private int visited;
    private boolean more;
    private boolean sawWritable;
    private long totalLen;
    private ChainError error = ChainError.NONE;
    /**
     * The descriptors yielded by the first walk, so that {@link #rewind()} replays exactly what was
     * checked (a guest rewriting the table between two walks cannot change the chain) without reading
     * the table again. A chain longer than this is walked again instead.
     */
    private static final int RECORDED = 16;
    private final long[] recAddr = new long[RECORDED];
    private final int[] recLen = new int[RECORDED];
    private final int[] recFlags = new int[RECORDED];
    private int recorded;
    private boolean replaying;
    private int replayAt;

    DescriptorChain(SplitQueue queue) {
        this.queue = queue;
    }

    /** Starts walking the chain whose head is {@code head} in the queue's descriptor table. */
    void reset(long descTable, int queueSize, int head, boolean indirectAllowed) {
        this.ringTable = descTable;
        this.head = head;
        this.table = descTable;
        this.tableSize = queueSize;
        this.queueSize = queueSize;
        this.indirectAllowed = indirectAllowed;
        this.inIndirect = false;
        this.index = head;
        this.visited = 0;
        this.more = true;
        this.sawWritable = false;
        this.totalLen = 0;
        this.error = ChainError.NONE;
        this.recorded = 0;
        this.replaying = false;
    }

    /**
     * Walks the same chain again from its head (a device that checks a chain before writing to it):
     * after a complete, error-free walk of at most {@value #RECORDED} descriptors, the recorded
     * descriptors are replayed; otherwise the table is walked again.
     */
    public void rewind() {
        if (!more && error == ChainError.NONE && recorded >= 0 && (replaying || recorded > 0)) {
            replaying = true;
            replayAt = 0;
            return;
        }
        reset(ringTable, queueSize, head, indirectAllowed);
    }

    public ChainError error() {
        return error;
    }

    /** Sum of the lengths seen so far. */
    public long totalLen() {
        return totalLen;
    }

    private Descriptor fail(ChainError e) {
        error = e;
        more = false;
        return null;
    }

    /**
     * The next buffer, or null at the end of the chain or on an error ({@link #error()} says which).
     *
     * <p>Kept small enough to inline: of the five calls a one-buffer packet makes (TX: buffer, end;
     * RX: buffer, end, replayed buffer) only the two that read a descriptor leave it, and those take
     * the short path {@link #head()} when the chain is one direct descriptor.
     */
    public Descriptor next() {
        if (replaying) {
            return replayNext();
        }
        if (!more) {
            return null;
        }
        return visited == 0 && !inIndirect ? head() : walk();
    }

    private Descriptor replayNext() {
        if (replayAt == recorded) {
            return null;
        }
        out.addr = recAddr[replayAt];
        out.len = recLen[replayAt];
        out.flags = recFlags[replayAt];
        replayAt++;
        return out;
    }

    /**
     * The chain's first descriptor, read from the ring's table. The same checks in the same order as
     * {@link #walk()}; a descriptor with NEXT or INDIRECT, or whose buffer would wrap, goes on through
     * the full checks ({@link #decode()}), since those are where its outcomes are decided. A direct
     * last descriptor can fail nothing else: readable-after-writable needs an earlier descriptor, and
     * one 32-bit length cannot overflow the 32-bit total.
     */
    private Descriptor head() {
        if (++visited > tableSize) {
            return fail(ChainError.TOO_LONG);
        }
        if (Integer.compareUnsigned(index, tableSize) >= 0) {
            return fail(ChainError.NEXT_OUT_OF_RANGE);
        }
        if (!queue.readTableDesc(index, raw)) {
            return fail(ChainError.DMA_FAULT);
        }
        long addr = raw[0];
        long len = raw[1] & 0xffff_ffffL;
        int flags = (int) (raw[1] >>> 32) & 0xffff;
        if ((flags & (SplitRing.DESC_F_NEXT | SplitRing.DESC_F_INDIRECT)) != 0
                || (len != 0 && U64.addOverflows(addr, len - 1))) {
            Descriptor d = decode();
            return d == enteredIndirect ? walk() : d;
        }
        sawWritable = (flags & SplitRing.DESC_F_WRITE) != 0;
        totalLen = len;
        more = false;
        out.addr = addr;
        out.len = (int) len;
        out.flags = flags;
        recAddr[0] = addr; // after reset() nothing is recorded yet
        recLen[0] = (int) len;
        recFlags[0] = flags;
        recorded = 1;
        return out;
    }

    /** The general walk: next links, an indirect table, every check. */
    private Descriptor walk() {
        while (more) {
            // virtio 1.x §2.7.5: a chain has at most as many descriptors as its table (queue size, or
            // the indirect table's entries); more means a loop or a malformed chain.
            if (++visited > tableSize) {
                return fail(ChainError.TOO_LONG);
            }
            if (Integer.compareUnsigned(index, tableSize) >= 0) {
                return fail(ChainError.NEXT_OUT_OF_RANGE); // a head the caller did not check
            }
            boolean read = inIndirect ? queue.readDescAt(table + SplitRing.desc(index), raw)
                    : queue.readTableDesc(index, raw);
            if (!read) {
                return fail(ChainError.DMA_FAULT);
            }
            Descriptor d = decode();
            if (d != enteredIndirect) {
                return d;
            }
        }
        return null;
    }

    /**
     * Checks and yields the descriptor just read into {@link #raw}: the buffer, null on an error, or
     * {@link #enteredIndirect} when it switched the walk to an indirect table.
     */
    private Descriptor decode() {
        // Each field at its width, unsigned: addr u64, len u32 (as a long), flags and next u16.
        long addr = raw[0];
        long len = raw[1] & 0xffff_ffffL;
        int flags = (int) (raw[1] >>> 32) & 0xffff;
        int next = (int) (raw[1] >>> 48) & 0xffff;
        if ((flags & SplitRing.DESC_F_INDIRECT) != 0) {
            // §2.7.5.3: only with INDIRECT_DESC, never nested, never with NEXT, whole 16-byte entries.
            if (!indirectAllowed) {
                return fail(ChainError.INDIRECT_NOT_NEGOTIATED);
            }
            if (inIndirect) {
                return fail(ChainError.NESTED_INDIRECT);
            }
            if ((flags & SplitRing.DESC_F_NEXT) != 0) {
                return fail(ChainError.INDIRECT_WITH_NEXT);
            }
            if (len == 0 || len % SplitRing.DESC_SIZE != 0 || len / SplitRing.DESC_SIZE > queueSize) {
                return fail(ChainError.BAD_INDIRECT_LEN);
            }
            if (U64.addOverflows(addr, len - 1)) {
                return fail(ChainError.LENGTH_OVERFLOW); // the table's entries would wrap to low memory
            }
            inIndirect = true;
            table = addr;
            tableSize = (int) (len / SplitRing.DESC_SIZE);
            index = 0;
            visited = 0;
            return enteredIndirect;
        }
        if (len != 0 && U64.addOverflows(addr, len - 1)) {
            return fail(ChainError.LENGTH_OVERFLOW);
        }
        boolean writable = (flags & SplitRing.DESC_F_WRITE) != 0;
        if (!writable && sawWritable) {
            return fail(ChainError.READABLE_AFTER_WRITABLE); // §2.7.4.2: readable ones come first
        }
        sawWritable |= writable;
        totalLen += len;
        if (totalLen > 0xffff_ffffL) {
            return fail(ChainError.LENGTH_OVERFLOW);
        }
        if ((flags & SplitRing.DESC_F_NEXT) != 0) {
            if (next >= tableSize) {
                return fail(ChainError.NEXT_OUT_OF_RANGE);
            }
            index = next;
        } else {
            more = false;
        }
        out.addr = addr;
        out.len = (int) len;
        out.flags = flags;
        if (recorded >= 0 && recorded < RECORDED) {
            recAddr[recorded] = addr;
            recLen[recorded] = (int) len;
            recFlags[recorded] = flags;
            recorded++;
        } else {
            recorded = -1; // too long to record: a rewind walks the table again
        }
        return out;
    }
}
