package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import java.util.function.IntFunction;
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
 * byte moves, so a buffer that runs into a hole fails whole, without a partial write.
 *
 * <p>Translations go through a small direct-mapped cache keyed by the translation's generation:
 * any change of the mappings (invalidate, reset, MR rebuild) empties it.
 */
public final class DmaEngine {
    /** Listener of DMA faults (the kernel model posts an IOTLB MISS for them). */
    public interface FaultListener {
        void fault(int asid, long iova, int perm, boolean permissionFailure);
    }

    private static final int CACHE = 8;
    private static final int MAX_SEGMENTS = 16;

    private final HostAddressSpace mm;
    private IntFunction<DmaTranslation> translations = asid -> null;
    private FaultListener faultListener = (a, i, p, f) -> { };
    private final DmaEntry[] cache = new DmaEntry[CACHE];
    private final DmaTranslation[] cacheOwner = new DmaTranslation[CACHE];
    private final long[] cacheGen = new long[CACHE];
    /** The RAM block holding the whole of the cached entry's host range, or null (resolve per access). */
    private final RamBlock[] cacheBlock = new RamBlock[CACHE];

    private long faults;
    private long lookups;
    private long misses;

    // Scratch for the last resolve(): segments of one buffer.
    private final RamBlock[] segBlock = new RamBlock[MAX_SEGMENTS];
    private final long[] segOff = new long[MAX_SEGMENTS];
    private final int[] segLen = new int[MAX_SEGMENTS];
    private int segCount;

    public DmaEngine(HostAddressSpace mm) {
        this.mm = mm;
    }

    public void setTranslations(IntFunction<DmaTranslation> t) {
        this.translations = t;
        java.util.Arrays.fill(cache, null);
    }

    public void setFaultListener(FaultListener l) {
        this.faultListener = l;
    }

    public long faults() {
        return faults;
    }

    /** Translation lookups that missed the cache (for benchmarks). */
    public long cacheMisses() {
        return misses;
    }

    public long lookups() {
        return lookups;
    }

    private DmaEntry lookup(DmaTranslation t, long iova) {
        lookups++;
        int slot = (int) ((iova >>> 12) & (CACHE - 1));
        DmaEntry e = cache[slot];
        if (e != null && cacheOwner[slot] == t && cacheGen[slot] == t.generation() && e.contains(iova)) {
            return e;
        }
        misses++;
        e = t.find(iova);
        cache[slot] = e;
        cacheOwner[slot] = t;
        cacheGen[slot] = t.generation();
        RamBlock b = null;
        if (e != null && !e.identity()) {
            b = mm.blockAt(e.addr());
            long span = e.last() - e.start(); // bytes - 1
            if (b != null && (span < 0 || !b.fits(e.addr() - b.base().value(), span + 1))) {
                b = null; // the entry runs past its block: resolve each access
            }
        }
        cacheBlock[slot] = b;
        return e;
    }

    private boolean fault(int asid, long iova, int perm, boolean permission) {
        faults++;
        faultListener.fault(asid, iova, perm, permission);
        return false;
    }

    /**
     * Translates {@code [iova, iova+len)} for an access needing {@code perm} into segments (kept for the
     * next copy). Answers false (a counted fault) when any byte cannot be reached.
     */
    public boolean resolve(int asid, long iova, int len, int perm) {
        segCount = 0;
        if (len <= 0) {
            return len == 0;
        }
        if (U64.addOverflows(iova, len - 1L)) {
            return fault(asid, iova, perm, false);
        }
        DmaTranslation t = translations.apply(asid);
        if (t == null) {
            return fault(asid, iova, perm, false);
        }
        long cur = iova;
        int left = len;
        while (left > 0) {
            DmaEntry e = lookup(t, cur);
            int slot = (int) ((cur >>> 12) & (CACHE - 1));
            if (e == null || e.identity()) {
                segCount = 0;
                return fault(asid, cur, perm, false);
            }
            if (!e.allows(perm)) {
                segCount = 0;
                return fault(asid, cur, perm, true);
            }
            long inEntry = e.last() - cur; // bytes after cur in this entry, minus one
            int n = (int) Math.min(left, U64.lt(inEntry, Integer.MAX_VALUE) ? inEntry + 1 : Integer.MAX_VALUE);
            long hva = e.translate(cur);
            RamBlock b = cache[slot] == e ? cacheBlock[slot] : null;
            if (b == null) {
                b = mm.blockContaining(hva, n);
            }
            if (b == null || segCount == MAX_SEGMENTS) {
                segCount = 0;
                return fault(asid, cur, perm, false);
            }
            segBlock[segCount] = b;
            segOff[segCount] = hva - b.base().value();
            segLen[segCount] = n;
            segCount++;
            left -= n;
            cur += n;
        }
        return true;
    }

    /** Copies the resolved bytes into {@code dst} (appending). */
    public void readResolved(ByteBuf dst) {
        for (int i = 0; i < segCount; i++) {
            segBlock[i].readTo(segOff[i], dst, segLen[i]);
        }
    }

    /** Copies {@code src}'s readable bytes into the resolved segments, in order. */
    public void writeResolved(ByteBuf src) {
        for (int i = 0; i < segCount && src.isReadable(); i++) {
            segBlock[i].writeFrom(segOff[i], src, Math.min(segLen[i], src.readableBytes()));
        }
    }

    /** Copies {@code len} bytes of {@code src} from {@code srcIndex} into the resolved segments (indices unchanged). */
    public void writeResolved(ByteBuf src, int srcIndex, int len) {
        for (int i = 0; i < segCount && len > 0; i++) {
            int n = Math.min(segLen[i], len);
            segBlock[i].writeFrom(segOff[i], src, srcIndex, n);
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

    // Fixed-size accessors for ring fields; a field never spans two segments when rings are aligned,
    // but the general path handles it anyway by resolving first.

    /** Reads a little-endian u16; answers -1 on a fault. */
    public int readU16(int asid, long iova, int perm) {
        if (!resolve(asid, iova, 2, perm)) {
            return -1;
        }
        if (segCount == 1) {
            return segBlock[0].getU16(segOff[0]) & 0xffff;
        }
        return (segBlock[0].getU8(segOff[0]) & 0xff) | ((segBlock[1].getU8(segOff[1]) & 0xff) << 8);
    }

    /** Reads a u16 ring index with acquire ordering; -1 on a fault. */
    public int readU16Acquire(int asid, long iova, int perm) {
        int v = readU16(asid, iova, perm);
        java.lang.invoke.VarHandle.acquireFence();
        return v;
    }

    /** Reads a little-endian u32 as an unsigned value; -1 on a fault. */
    public long readU32(int asid, long iova, int perm) {
        if (!resolve(asid, iova, 4, perm) || segCount != 1) {
            return segCount > 1 ? slowRead(4) : -1;
        }
        return segBlock[0].getU32(segOff[0]) & 0xffff_ffffL;
    }

    /** Reads a descriptor's u64 address; answers false on a fault (value in {@link #lastU64()}). */
    public boolean readU64(int asid, long iova, int perm) {
        if (!resolve(asid, iova, 8, perm)) {
            return false;
        }
        lastU64 = segCount == 1 ? segBlock[0].getU64(segOff[0]) : slowRead(8);
        return true;
    }

    private long lastU64;

    public long lastU64() {
        return lastU64;
    }

    private long slowRead(int n) {
        long v = 0;
        int shift = 0;
        for (int i = 0; i < segCount; i++) {
            for (int k = 0; k < segLen[i]; k++) {
                v |= (segBlock[i].getU8(segOff[i] + k) & 0xffL) << shift;
                shift += 8;
            }
        }
        return v;
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
            java.lang.invoke.VarHandle.releaseFence();
        }
        if (segCount == 1) {
            segBlock[0].putU16(segOff[0], (short) value);
        } else {
            segBlock[0].putU8(segOff[0], (byte) value);
            segBlock[1].putU8(segOff[1], (byte) (value >>> 8));
        }
        return true;
    }

    /** Writes a used-ring element {id, len}; false on a fault. */
    public boolean writeUsedElem(int asid, long iova, int id, int len) {
        if (!resolve(asid, iova, 8, DmaEntry.PERM_WO)) {
            return false;
        }
        if (segCount == 1) {
            segBlock[0].putU32(segOff[0], id);
            segBlock[0].putU32(segOff[0] + 4, len);
            return true;
        }
        long v = (id & 0xffff_ffffL) | ((long) len << 32);
        for (int i = 0, shift = 0; i < segCount; i++) {
            for (int k = 0; k < segLen[i]; k++, shift += 8) {
                segBlock[i].putU8(segOff[i] + k, (byte) (v >>> shift));
            }
        }
        return true;
    }
}
