package org.toyvm.core.virtio;

import org.toyvm.core.addr.Gpa;
import org.toyvm.core.mem.ChunkView;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.RamBlock;

/**
 * The driver's side of one split virtqueue (virtio 1.x §2.7), written the way a guest driver writes
 * it: descriptors into the table, heads into the avail ring, the avail index published with release
 * order, and used elements read back after an acquire load of the used index. The toy guest, the
 * datapath benchmark and every device test drive queues through this one class.
 *
 * <p>The three ring areas are resolved from guest physical addresses to RAM once, at construction.
 * Nothing here checks what the device wrote: a test reads the raw used ring to see exactly what a
 * (possibly misbehaving) device did. Indexes are the spec's free-running 16-bit counters.
 *
 * <p>An area that lies inside one allocated chunk of its block is accessed through a {@link ChunkView}
 * (plain array accesses), as the device side does: this class is half of every measured round trip,
 * and a chunk lookup per field was a visible share of it. The view is reopened lazily after the block
 * drops a chunk; an area that spans chunks, or whose chunk is not allocated yet, goes through the
 * block, which reads zeros and allocates on write exactly as before.
 */
public final class DriverRing {
    private final int size;
    private final Layout layout;
    private final RamBlock descRam;
    private final long descOff;
    private final RamBlock availRam;
    private final long availOff;
    private final RamBlock usedRam;
    private final long usedOff;
    private final int descLen;
    private final int availLen;
    private final int usedLen;
    private final ChunkView descView = new ChunkView();
    private final ChunkView availView = new ChunkView();
    private final ChunkView usedView = new ChunkView();
    private int availIdx;
    private int usedSeen;

    /** Where the three areas of a queue live, as the driver programs them into the device. */
    public record Layout(Gpa desc, Gpa avail, Gpa used) {
        /** Descriptor table at {@code base}, the avail ring right after it, the used ring 4-aligned after that. */
        public static Layout contiguous(Gpa base, int size) {
            Gpa avail = base.plus(SplitRing.descTableSize(size));
            long usedAt = (avail.value() + SplitRing.availSize(size) + SplitRing.USED_ALIGN - 1)
                    & -(long) SplitRing.USED_ALIGN;
            return new Layout(base, avail, Gpa.of(usedAt));
        }
    }

    /**
     * A ring of {@code size} entries at {@code layout} in {@code ram}.
     *
     * @throws IllegalArgumentException when {@code size} is not a valid split queue size
     * @throws org.toyvm.core.mem.MemoryAccessException when an area is not inside guest RAM
     */
    public DriverRing(GuestRam ram, int size, Layout layout) {
        if (!SplitRing.validSize(size)) {
            throw new IllegalArgumentException("queue size " + size + " is not a power of two in 1.."
                    + SplitRing.MAX_QUEUE_SIZE);
        }
        this.size = size;
        this.layout = layout;
        GuestRam.RamSpan d = ram.span(layout.desc(), SplitRing.descTableSize(size));
        GuestRam.RamSpan a = ram.span(layout.avail(), SplitRing.availSize(size));
        GuestRam.RamSpan u = ram.span(layout.used(), SplitRing.usedSize(size));
        descRam = d.block();
        descOff = d.offset();
        availRam = a.block();
        availOff = a.offset();
        usedRam = u.block();
        usedOff = u.offset();
        // At most 512 KiB (32768 descriptors): every area length and in-area offset fits an int.
        descLen = (int) SplitRing.descTableSize(size);
        availLen = (int) SplitRing.availSize(size);
        usedLen = (int) SplitRing.usedSize(size);
    }

    /**
     * The same ring — size, layout and the driver's own state (its avail index and how far it has
     * consumed the used ring) — over {@code ram}: the ring as the driver keeps using it once its guest
     * has been migrated to a machine whose RAM holds a copy of this one's at the same guest physical
     * addresses. What the ring areas hold is {@code ram}'s business (it was copied there); this ring is
     * not changed and should no longer be used.
     *
     * @throws org.toyvm.core.mem.MemoryAccessException when an area is not inside {@code ram}
     */
    public DriverRing movedTo(GuestRam ram) {
        DriverRing moved = new DriverRing(ram, size, layout);
        moved.availIdx = availIdx;
        moved.usedSeen = usedSeen;
        return moved;
    }

    /** The descriptor table as a chunk view, or null: use the block (see the class comment). */
    private ChunkView desc() {
        return view(descView, descRam, descOff, descLen);
    }

    private ChunkView avail() {
        return view(availView, availRam, availOff, availLen);
    }

    private ChunkView used() {
        return view(usedView, usedRam, usedOff, usedLen);
    }

    private static ChunkView view(ChunkView v, RamBlock block, long off, int len) {
        if (v.valid()) {
            return v;
        }
        return v.open(block, off, len) ? v : null;
    }

    /** A ring laid out contiguously from {@code base} ({@link Layout#contiguous}). */
    public static DriverRing contiguous(GuestRam ram, int size, Gpa base) {
        return new DriverRing(ram, size, Layout.contiguous(base, size));
    }

    public int size() {
        return size;
    }

    public Layout layout() {
        return layout;
    }

    /** Writes descriptor {@code i} (taken modulo the size): buffer {@code addr}, {@code len} bytes, flags, next. */
    public void writeDesc(int i, Gpa addr, int len, int flags, int next) {
        int rel = (int) SplitRing.desc(i & (size - 1));
        ChunkView v = desc();
        if (v != null) {
            v.putU64(rel + SplitRing.DESC_ADDR, addr.value());
            v.putU32(rel + SplitRing.DESC_LEN, len);
            v.putU16(rel + SplitRing.DESC_FLAGS, (short) flags);
            v.putU16(rel + SplitRing.DESC_NEXT, (short) next);
            return;
        }
        long at = descOff + rel;
        descRam.putU64(at + SplitRing.DESC_ADDR, addr.value());
        descRam.putU32(at + SplitRing.DESC_LEN, len);
        descRam.putU16(at + SplitRing.DESC_FLAGS, (short) flags);
        descRam.putU16(at + SplitRing.DESC_NEXT, (short) next);
    }

    /** Rewrites only the length of descriptor {@code i}: the common case of reusing a buffer. */
    public void writeDescLen(int i, int len) {
        int rel = (int) SplitRing.desc(i & (size - 1)) + SplitRing.DESC_LEN;
        ChunkView v = desc();
        if (v != null) {
            v.putU32(rel, len);
        } else {
            descRam.putU32(descOff + rel, len);
        }
    }

    /** Puts {@code head} in the next avail slot without publishing it (see {@link #publish()}). */
    public void add(int head) {
        putAvail(SplitRing.availRing(availIdx & (size - 1)), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
    }

    /**
     * Writes {@code head} at avail ring position {@code pos} (taken modulo the size) without moving
     * or publishing the index: a driver filling slots out of order, or a fuzzer rewriting one.
     */
    public void setAvailEntry(int pos, int head) {
        putAvail(SplitRing.availRing(pos & (size - 1)), (short) head);
    }

    /** Publishes every head added so far: the avail index store the device may act on. */
    public void publish() {
        ChunkView v = avail();
        if (v != null) {
            v.putU16Release(SplitRing.AVAIL_IDX, (short) availIdx);
        } else {
            availRam.putU16Release(availOff + SplitRing.AVAIL_IDX, (short) availIdx);
        }
    }

    private void putAvail(long rel, short value) {
        ChunkView v = avail();
        if (v != null) {
            v.putU16((int) rel, value);
        } else {
            availRam.putU16(availOff + rel, value);
        }
    }

    private int getUsedU32(long rel) {
        ChunkView v = used();
        return v != null ? v.getU32((int) rel) : usedRam.getU32(usedOff + rel);
    }

    private int getUsedU16(long rel) {
        ChunkView v = used();
        return v != null ? v.getU16((int) rel) : usedRam.getU16(usedOff + rel) & 0xffff;
    }

    /** {@link #add} then {@link #publish}: one chain made available. */
    public void offer(int head) {
        add(head);
        publish();
    }

    /** The driver's avail index (what it has published or is about to). */
    public int availIdx() {
        return availIdx;
    }

    /**
     * Sets the avail index and publishes it as is, whatever the ring holds: how a test starts near
     * the 16-bit wrap or plays a driver that lies about how many heads it added.
     */
    public void forceAvailIdx(int idx) {
        availIdx = idx & 0xffff;
        publish();
    }

    /** The avail ring's flags (NO_INTERRUPT suppresses used-buffer notifications without event idx). */
    public void setAvailFlags(int flags) {
        putAvail(SplitRing.AVAIL_FLAGS, (short) flags);
    }

    /** used_event (event idx): notify me when the used index passes this. */
    public void setUsedEvent(int idx) {
        putAvail(SplitRing.usedEvent(size), (short) idx);
    }

    /** The device's used index, read with acquire order. */
    public int usedIdx() {
        ChunkView v = used();
        return v != null ? v.getU16Acquire(SplitRing.USED_IDX)
                : usedRam.getU16Acquire(usedOff + SplitRing.USED_IDX) & 0xffff;
    }

    /** The device's used-ring flags (NO_NOTIFY asks the driver not to kick). */
    public int usedFlags() {
        return getUsedU16(SplitRing.USED_FLAGS);
    }

    /** avail_event (event idx): the device asks to be kicked when the avail index passes this. */
    public int availEvent() {
        return getUsedU16(SplitRing.availEvent(size));
    }

    /** Raw id of used element {@code i} (taken modulo the size), as the device wrote it. */
    public int usedId(int i) {
        return getUsedU32(SplitRing.usedElem(i & (size - 1)) + SplitRing.USED_ELEM_ID);
    }

    /** Raw length of used element {@code i} (taken modulo the size), as the device wrote it. */
    public int usedLen(int i) {
        return getUsedU32(SplitRing.usedElem(i & (size - 1)) + SplitRing.USED_ELEM_LEN);
    }

    /** True when the device has used a chain the driver has not consumed yet. */
    public boolean hasUsed() {
        return usedSeen != usedIdx();
    }

    /** Id of the oldest used element not consumed yet; valid only when {@link #hasUsed()}. */
    public int nextUsedId() {
        return usedId(usedSeen);
    }

    /** Length of the oldest used element not consumed yet; valid only when {@link #hasUsed()}. */
    public int nextUsedLen() {
        return usedLen(usedSeen);
    }

    /** Consumes the oldest used element. */
    public void consumeUsed() {
        usedSeen = (usedSeen + 1) & 0xffff;
    }

    /** How many used elements the driver has consumed (its free-running last-seen used index). */
    public int usedSeen() {
        return usedSeen;
    }
}
