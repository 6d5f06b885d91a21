package org.toyvm.hw.net;

import org.toyvm.core.addr.U64;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.hw.api.DmaEntry;

/**
 * The device side of one split virtqueue: where its rings are (IOVAs), the next avail index to read
 * and the used index to write. Every access goes through the {@link DmaEngine}.
 */
final class Virtqueue {
    final int index;
    int num;
    long desc;
    long avail;
    long used;
    boolean ready;
    /** Next avail ring index to consume (free-running u16). */
    int lastAvail;
    /** Next used ring index to produce (free-running u16). */
    int usedIdx;
    /** Used index at the last notification (for EVENT_IDX). */
    int signalledUsed;
    boolean scheduled;
    /** The processing task (made once: a kick allocates nothing). */
    Runnable task;

    Virtqueue(int index) {
        this.index = index;
    }

    void clear() {
        num = 0;
        desc = 0;
        avail = 0;
        used = 0;
        ready = false;
        lastAvail = 0;
        usedIdx = 0;
        signalledUsed = 0;
        scheduled = false;
    }

    /**
     * bad-input §10: size a power of two within the maximum; rings aligned (desc 16, avail 2, used 4);
     * §9: no ring runs past 2^64 (its fields' addresses would wrap to low memory). Addresses are
     * unsigned 64-bit; {@code num} is whatever SET_VRING_NUM stored, checked here before any use.
     */
    String layoutProblem(int maxSize) {
        if (!SplitRing.validSize(num) || num > maxSize) {
            return "queue " + index + " size " + Integer.toUnsignedString(num) + " is not a power of two in 1.." + maxSize;
        }
        if ((desc & (SplitRing.DESC_ALIGN - 1)) != 0 || (avail & (SplitRing.AVAIL_ALIGN - 1)) != 0
                || (used & (SplitRing.USED_ALIGN - 1)) != 0) {
            return "queue " + index + " rings are misaligned (desc 16, avail 2, used 4)";
        }
        if (U64.addOverflows(desc, SplitRing.descTableSize(num) - 1)
                || U64.addOverflows(avail, SplitRing.availSize(num) - 1)
                || U64.addOverflows(used, SplitRing.usedSize(num) - 1)) {
            return "queue " + index + " rings run past 2^64 (desc " + U64.hex(desc) + ", avail " + U64.hex(avail)
                    + ", used " + U64.hex(used) + ")";
        }
        return null;
    }

    /** The driver's avail idx, or -1 on a DMA fault. */
    int availIdx(DmaEngine dma, int asid) {
        return dma.readU16Acquire(asid, avail + SplitRing.AVAIL_IDX, DmaEntry.PERM_RO);
    }

    int availFlags(DmaEngine dma, int asid) {
        return dma.readU16(asid, avail + SplitRing.AVAIL_FLAGS, DmaEntry.PERM_RO);
    }

    /** The head at avail ring position {@code lastAvail}, or -1 on a DMA fault. */
    int head(DmaEngine dma, int asid) {
        return dma.readU16(asid, avail + SplitRing.availRing(lastAvail % num), DmaEntry.PERM_RO);
    }

    int usedEvent(DmaEngine dma, int asid) {
        return dma.readU16(asid, avail + SplitRing.usedEvent(num), DmaEntry.PERM_RO);
    }

    /** Writes used element {id, len} and publishes the new used idx; false on a DMA fault. */
    boolean pushUsed(DmaEngine dma, int asid, int id, int len) {
        if (!dma.writeUsedElem(asid, used + SplitRing.usedElem(usedIdx % num), id, len)) {
            return false;
        }
        usedIdx = (usedIdx + 1) & 0xffff;
        // §2.7.8: the element must be visible before the index that publishes it.
        return dma.writeU16(asid, used + SplitRing.USED_IDX, usedIdx, true);
    }
}
