package org.toyvm.hw.queue;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.IntFunction;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.DmaTranslation;

/**
 * The device's only way to memory: every ring and buffer access is translated through the parent's
 * current {@link DmaTranslation} for the address space, checked against the entry's permission, and
 * resolved to a RAM block of the process. A miss, a permission failure, an identity (1:1) entry or a
 * host address outside every RAM block is a DMA fault: counted, reported, and nothing is touched.
 *
 * <p>A buffer may span several adjacent mappings; {@link #resolve} translates all of it before any
 * byte moves, so a buffer that runs into a hole fails whole, without a partial write. Pieces that are
 * adjacent in one RAM block are merged, so a ring spread over page-sized mappings is one segment.
 *
 * <p>Translations are cached in front of the seam (the seam is called only on a miss, so the hot path
 * allocates nothing): first the caller's {@link Chunk} (the last entry a queue used), then a small
 * direct-mapped cache. Both are keyed by the translation's generation: any change of the mappings
 * (invalidate, reset, MR rebuild) empties them.
 */
public final class DmaEngine {
    /** Listener of DMA faults (the kernel model posts an IOTLB MISS for them). */
    public interface FaultListener {
        void fault(int asid, long iova, int perm, boolean permissionFailure);
    }

    /**
     * The last translated chunk of one queue: the entry it hit and the RAM block holding all of it.
     * Owned by one queue, so queues do not evict each other's buffer pages.
     */
    public static final class Chunk {
        private DmaEntry entry;
        private DmaTranslation owner;
        private long generation;
        private long epoch;
        private RamBlock block;
    }

    private static final int CACHE = 8;
    private static final int MAX_SEGMENTS = 16;

    private final HostAddressSpace mm;
    private IntFunction<DmaTranslation> translations = asid -> null;
    private FaultListener faultListener = (a, i, p, f) -> { };
    /** Bumped by {@link #setTranslations}: a cached entry of an older epoch is never used. */
    private long epoch;
    private final DmaEntry[] cache = new DmaEntry[CACHE];
    private final DmaTranslation[] cacheOwner = new DmaTranslation[CACHE];
    private final long[] cacheGen = new long[CACHE];
    /** The RAM block holding the whole of the cached entry's host range, or null (resolve per access). */
    private final RamBlock[] cacheBlock = new RamBlock[CACHE];
    private final Chunk noChunk = new Chunk();

    private long faults;
    private long lookups;
    private long misses;

    // Result of the last resolve(): segments of one buffer.
    private final RamBlock[] segBlock = new RamBlock[MAX_SEGMENTS];
    private final long[] segOff = new long[MAX_SEGMENTS];
    private final int[] segLen = new int[MAX_SEGMENTS];
    private int segCount;
    private long lastLo;
    private long lastHi;

    public DmaEngine(HostAddressSpace mm) {
        this.mm = mm;
    }

    public void setTranslations(IntFunction<DmaTranslation> t) {
        this.translations = t;
        epoch++;
        Arrays.fill(cache, null);
        Arrays.fill(cacheOwner, null);
        Arrays.fill(cacheBlock, null);
    }

    public void setFaultListener(FaultListener l) {
        this.faultListener = l;
    }

    /** The translation address space {@code asid} uses now, or null. */
    public DmaTranslation translation(int asid) {
        return translations.apply(asid);
    }

    /** Changes whenever {@link #setTranslations} does (a resolved ring area is stale after it). */
    public long epoch() {
        return epoch;
    }

    public long faults() {
        return faults;
    }

    /** Translation lookups that missed every cache and went to the seam (for benchmarks). */
    public long cacheMisses() {
        return misses;
    }

    public long lookups() {
        return lookups;
    }

    private DmaEntry lookup(Chunk c, DmaTranslation t, long iova) {
        lookups++;
        long gen = t.generation();
        DmaEntry e = c.entry;
        if (e != null && c.owner == t && c.generation == gen && c.epoch == epoch && e.contains(iova)) {
            return e;
        }
        int slot = (int) ((iova >>> 12) & (CACHE - 1));
        e = cache[slot];
        if (e == null || cacheOwner[slot] != t || cacheGen[slot] != gen || !e.contains(iova)) {
            misses++;
            e = t.find(Iova.of(iova));
            cache[slot] = e;
            cacheOwner[slot] = t;
            cacheGen[slot] = gen;
            cacheBlock[slot] = e == null || e.identity() ? null : blockOfWhole(e);
        }
        if (c != noChunk) {
            c.entry = e;
            c.owner = t;
            c.generation = gen;
            c.epoch = epoch;
            c.block = cacheBlock[slot];
        }
        return e;
    }

    /** The RAM block holding all of {@code e}'s host range, or null when it runs past one block. */
    private RamBlock blockOfWhole(DmaEntry e) {
        RamBlock b = mm.blockAt(e.addr());
        long span = e.last() - e.start(); // bytes - 1
        if (b != null && (span < 0 || !b.fits(e.addr() - b.base().value(), span + 1))) {
            return null;
        }
        return b;
    }

    private boolean fault(boolean quiet, int asid, long iova, int perm, boolean permission) {
        segCount = 0;
        if (!quiet) {
            faults++;
            faultListener.fault(asid, iova, perm, permission);
        }
        return false;
    }

    /**
     * Translates {@code [iova, iova+len)} for an access needing {@code perm} into segments (kept for the
     * next copy). Answers false (a counted fault) when any byte cannot be reached.
     */
    public boolean resolve(int asid, long iova, int len, int perm) {
        return resolve(noChunk, asid, iova, len, perm, false);
    }

    /** {@link #resolve(int, long, int, int)} trying {@code chunk}, the queue's last entry, first. */
    public boolean resolve(Chunk chunk, int asid, long iova, int len, int perm) {
        return resolve(chunk, asid, iova, len, perm, false);
    }

    /**
     * Like {@link #resolve} but a failure is neither counted nor reported: a queue probing whether a
     * whole ring area is reachable (if not, it falls back to per-field accesses, which count).
     */
    boolean probe(int asid, long iova, int len, int perm) {
        return resolve(noChunk, asid, iova, len, perm, true);
    }

    private boolean resolve(Chunk chunk, int asid, long iova, int len, int perm, boolean quiet) {
        segCount = 0;
        if (len <= 0) {
            return len == 0;
        }
        if (U64.addOverflows(iova, len - 1L)) {
            return fault(quiet, asid, iova, perm, false);
        }
        DmaTranslation t = translations.apply(asid);
        if (t == null) {
            return fault(quiet, asid, iova, perm, false);
        }
        long cur = iova;
        int left = len;
        while (left > 0) {
            DmaEntry e = lookup(chunk, t, cur);
            if (e == null || e.identity()) {
                return fault(quiet, asid, cur, perm, false);
            }
            if (!e.allows(perm)) {
                return fault(quiet, asid, cur, perm, true);
            }
            long inEntry = e.last() - cur; // bytes after cur in this entry, minus one
            int n = (int) Math.min(left, U64.lt(inEntry, Integer.MAX_VALUE) ? inEntry + 1 : Integer.MAX_VALUE);
            long hva = e.translate(cur);
            RamBlock b = chunk != noChunk ? chunk.block : cacheBlock[(int) ((cur >>> 12) & (CACHE - 1))];
            if (b == null) {
                b = mm.blockContaining(hva, n);
            }
            if (b == null) {
                return fault(quiet, asid, cur, perm, false);
            }
            long off = hva - b.base().value();
            int last = segCount - 1;
            if (last >= 0 && segBlock[last] == b && segOff[last] + segLen[last] == off
                    && segLen[last] <= Integer.MAX_VALUE - n) {
                segLen[last] += n; // adjacent in the same block: one segment
            } else if (segCount == MAX_SEGMENTS) {
                return fault(quiet, asid, cur, perm, false);
            } else {
                segBlock[segCount] = b;
                segOff[segCount] = off;
                segLen[segCount] = n;
                segCount++;
            }
            left -= n;
            cur += n;
        }
        return true;
    }

    /** The block of the last resolve when it gave one segment, else null. */
    RamBlock singleBlock() {
        return segCount == 1 ? segBlock[0] : null;
    }

    /** The offset in {@link #singleBlock()}. */
    long singleOffset() {
        return segOff[0];
    }

    /** Copies the resolved bytes into {@code dst} (appending). */
    public void readResolved(ByteBuf dst) {
        for (int i = 0; i < segCount; i++) {
            segBlock[i].readTo(segOff[i], dst, segLen[i]);
        }
    }

    /**
     * Copies {@code len} bytes of {@code src} from {@code srcIndex} into the resolved bytes from byte
     * {@code at} on ({@code src}'s indices unchanged).
     */
    public void writeResolved(int at, ByteBuf src, int srcIndex, int len) {
        for (int i = 0; i < segCount && len > 0; i++) {
            if (at >= segLen[i]) {
                at -= segLen[i];
                continue;
            }
            int n = Math.min(segLen[i] - at, len);
            segBlock[i].writeFrom(segOff[i] + at, src, srcIndex, n);
            at = 0;
            srcIndex += n;
            len -= n;
        }
    }

    /** Copies {@code src[srcIndex..srcIndex+len)} into the resolved bytes from byte {@code at} on. */
    public void writeResolved(int at, byte[] src, int srcIndex, int len) {
        for (int i = 0; i < segCount && len > 0; i++) {
            if (at >= segLen[i]) {
                at -= segLen[i];
                continue;
            }
            int n = Math.min(segLen[i] - at, len);
            segBlock[i].write(segOff[i] + at, src, srcIndex, n);
            at = 0;
            srcIndex += n;
            len -= n;
        }
    }

    /** Fills the resolved segments with zeros from the start, up to {@code n} bytes. */
    public void zeroResolved(int n) {
        for (int i = 0; i < segCount && n > 0; i++) {
            int k = Math.min(n, segLen[i]);
            segBlock[i].zero(segOff[i], k);
            n -= k;
        }
    }

    // Fixed-size accessors for ring fields and descriptors. A field never spans two segments when rings
    // are aligned, but a hostile layout may make it; those go byte by byte.

    /** Reads a little-endian u16; answers -1 on a fault. */
    public int readU16(int asid, long iova, int perm) {
        if (!resolve(asid, iova, 2, perm)) {
            return -1;
        }
        return segCount == 1 ? segBlock[0].getU16(segOff[0]) & 0xffff : (int) slowRead(0, 2);
    }

    /** Reads a u16 ring index with acquire ordering; -1 on a fault. */
    public int readU16Acquire(int asid, long iova, int perm) {
        int v = readU16(asid, iova, perm);
        VarHandle.acquireFence();
        return v;
    }

    /**
     * Reads a whole 16-byte descriptor in one access (one translation): answers false on a fault, else
     * the address is {@link #lastLo()} and len | flags << 32 | next << 48 is {@link #lastHi()}.
     */
    public boolean readDesc(Chunk chunk, int asid, long iova) {
        if (!resolve(chunk, asid, iova, 16, DmaEntry.PERM_RO)) {
            return false;
        }
        if (segCount == 1) {
            lastLo = segBlock[0].getU64(segOff[0]);
            lastHi = segBlock[0].getU64(segOff[0] + 8);
        } else {
            lastLo = slowRead(0, 8);
            lastHi = slowRead(8, 8);
        }
        return true;
    }

    public long lastLo() {
        return lastLo;
    }

    public long lastHi() {
        return lastHi;
    }

    /** {@code n} bytes from byte {@code skip} of the resolved segments, little-endian. */
    private long slowRead(int skip, int n) {
        long v = 0;
        int shift = 0;
        for (int i = 0; i < segCount && shift < 8 * n; i++) {
            for (int k = 0; k < segLen[i] && shift < 8 * n; k++) {
                if (skip > 0) {
                    skip--;
                    continue;
                }
                v |= (segBlock[i].getU8(segOff[i] + k) & 0xffL) << shift;
                shift += 8;
            }
        }
        return v;
    }

    private void slowWrite(long v) {
        for (int i = 0, shift = 0; i < segCount; i++) {
            for (int k = 0; k < segLen[i]; k++, shift += 8) {
                segBlock[i].putU8(segOff[i] + k, (byte) (v >>> shift));
            }
        }
    }

    /** Writes one byte; false on a fault. */
    public boolean writeU8(int asid, long iova, int value) {
        if (!resolve(asid, iova, 1, DmaEntry.PERM_WO)) {
            return false;
        }
        segBlock[0].putU8(segOff[0], (byte) value);
        return true;
    }

    /** Writes a little-endian u16; false on a fault. */
    public boolean writeU16(int asid, long iova, int value, boolean release) {
        if (!resolve(asid, iova, 2, DmaEntry.PERM_WO)) {
            return false;
        }
        if (release) {
            VarHandle.releaseFence();
        }
        if (segCount == 1) {
            segBlock[0].putU16(segOff[0], (short) value);
        } else {
            slowWrite(value);
        }
        return true;
    }

    /** Writes a used-ring element {id, len}; false on a fault. */
    public boolean writeUsedElem(int asid, long iova, int id, int len) {
        if (!resolve(asid, iova, 8, DmaEntry.PERM_WO)) {
            return false;
        }
        if (segCount == 1) {
            segBlock[0].putU64(segOff[0], (id & 0xffff_ffffL) | ((long) len << 32));
        } else {
            slowWrite((id & 0xffff_ffffL) | ((long) len << 32));
        }
        return true;
    }
}
