package org.toyvm.hw.queue;

import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.ChunkView;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.DmaTranslation;

/**
 * The device side of one split virtqueue (virtio 1.x §2.7; the device half of Linux's
 * {@code drivers/virtio/virtio_ring.c}, shaped like rust-vmm virtio-queue's {@code Queue}): its
 * configuration (size, ring areas as IOVAs, ready, base), and the four things a device does with it —
 * {@link #pop()} the next available chain, walk it ({@link #chain}), {@link #addUsed} and decide at the
 * end of a kick whether to interrupt the driver ({@link #endKick()}).
 *
 * <p>Indexes are the spec's free-running 16-bit counters: every one is masked to 16 bits when it
 * moves, and ring positions are taken modulo the (power-of-two) size, so the wrap from 65535 to 0 is
 * ordinary arithmetic.
 *
 * <p>The three ring areas are resolved to host memory at most once per kick ({@link #beginKick} ..
 * {@link #endKick}) and kept while the translation and its generation stand: a map, unmap or reset —
 * even in the middle of a kick — makes the next ring access resolve them again. Ring fields are then
 * plain loads and stores. An area that cannot be resolved whole is
 * accessed field by field through the {@link DmaEngine}, so a fault is counted exactly where it falls.
 *
 * <p>A ring state that cannot be trusted (bad size or layout, avail index more than the size ahead,
 * a head out of range) is reported to the {@code broken} callback given at construction: the device
 * decides what that means (virtio-net sets NEEDS_RESET).
 */
public final class SplitQueue {
    private final int index;
    private final int maxSize;
    private final DmaEngine dma;
    private final Consumer<String> broken;
    private final DmaEngine.Chunk chunk = new DmaEngine.Chunk();
    private final DescriptorChain chain;

    private int num;
    private long desc;
    private long avail;
    private long used;
    private boolean ready;
    /** {@link #layoutProblem()} for the current configuration, once {@code layoutChecked}. */
    private String layout;
    private boolean layoutChecked;
    /** Next avail ring index to consume (free-running u16). */
    private int lastAvail;
    /** Next used ring index to produce (free-running u16). */
    private int usedIdx;
    /** Used index at the last notification (for EVENT_IDX). */
    private int signalledUsed;

    // Per kick.
    /** Address space of the buffers (the queue's group). */
    private int asid;
    /** Address space of the rings: descriptor table, avail and used (the queue's descriptor group). */
    private int ringAsid;
    private boolean indirect;
    private boolean eventIdx;
    private int usedAtKick;
    private DmaTranslation translation;
    private boolean areasValid;
    private long areasGeneration;
    private long areasEpoch;
    private final RingArea descArea = new RingArea();
    private final RingArea availArea = new RingArea();
    private final RingArea usedArea = new RingArea();
    private long areaResolutions;

    public SplitQueue(int index, int maxSize, DmaEngine dma, Consumer<String> broken) {
        this.index = index;
        this.maxSize = maxSize;
        this.dma = dma;
        this.broken = broken;
        this.chain = new DescriptorChain(this);
    }

    public int index() {
        return index;
    }

    public DmaEngine dma() {
        return dma;
    }

    // ---------------------------------------------------------------- configuration

    /** SET_VRING_NUM: stored as given (any 32-bit value), checked by {@link #layoutProblem()} before use. */
    public void setSize(int num) {
        this.num = num;
        areasValid = false;
        layoutChecked = false;
    }

    public int size() {
        return num;
    }

    public void setAddresses(Iova descTable, Iova availRing, Iova usedRing) {
        desc = descTable.value();
        avail = availRing.value();
        used = usedRing.value();
        areasValid = false;
        layoutChecked = false;
    }

    /** SET_VRING_BASE: the next avail index the device reads and the used index it writes. */
    public void setBase(int base) {
        lastAvail = base & 0xffff;
        usedIdx = base & 0xffff;
        signalledUsed = base & 0xffff;
    }

    /** GET_VRING_BASE: the device's last avail index. */
    public int base() {
        return lastAvail;
    }

    public int usedIdx() {
        return usedIdx;
    }

    public void setReady(boolean ready) {
        this.ready = ready;
    }

    public boolean ready() {
        return ready;
    }

    /** Device reset (§2.4): the queue is forgotten and starts over at index 0. */
    public void clear() {
        num = 0;
        desc = 0;
        avail = 0;
        used = 0;
        ready = false;
        lastAvail = 0;
        usedIdx = 0;
        signalledUsed = 0;
        areasValid = false;
        layoutChecked = false;
        translation = null;
    }

    /**
     * docs/bad-input.md §10: size a power of two within the maximum; rings aligned (desc 16, avail 2, used 4);
     * §9: no ring runs past 2^64 (its fields' addresses would wrap to low memory). Addresses are
     * unsigned 64-bit; the size is whatever SET_VRING_NUM stored. Null when the layout is usable.
     */
    public String layoutProblem() {
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

    // ---------------------------------------------------------------- one kick

    /**
     * Starts processing: every access until {@link #endKick} goes through address space {@code asid};
     * {@code indirectDesc} and {@code eventIdx} are the negotiated ring features.
     */
    public void beginKick(int asid, boolean indirectDesc, boolean eventIdx) {
        beginKick(asid, asid, indirectDesc, eventIdx);
    }

    /**
     * Starts processing with the rings (descriptor table, avail and used ring) in address space
     * {@code ringAsid} and the buffers, indirect tables included, in {@code bufferAsid}: a virtqueue
     * whose descriptor group is bound elsewhere than its group (mlx5_vdpa 6.7+: {@code desc_group_mkey}
     * for the rings, {@code virtio_q_mkey} for the buffers; QEMU's shadow rings in their own address
     * space, the guest's buffers at IOVA = GPA). An indirect table is read where the buffers are: it is
     * memory a descriptor points at, like a buffer (QEMU's shadow virtqueue never uses one).
     */
    public void beginKick(int ringAsid, int bufferAsid, boolean indirectDesc, boolean eventIdx) {
        DmaTranslation t = dma.translation(ringAsid);
        if (ringAsid != this.ringAsid || t != translation) {
            areasValid = false; // another address space, or the parent swapped its translation
        }
        this.ringAsid = ringAsid;
        this.asid = bufferAsid;
        this.translation = t;
        this.indirect = indirectDesc;
        this.eventIdx = eventIdx;
        this.usedAtKick = usedIdx;
    }

    /** Address space of the current kick's buffers. */
    public int asid() {
        return asid;
    }

    /** Address space of the current kick's rings (the buffers' unless the descriptor group is elsewhere). */
    public int ringAsid() {
        return ringAsid;
    }

    /** How often the ring areas were resolved (once per kick unless the mappings changed). */
    public long areaResolutions() {
        return areaResolutions;
    }

    /**
     * Resolves the ring areas unless they were resolved under the translation and generation still
     * current: at most once per kick, and not again in later kicks while nothing was remapped (the
     * same rule the DMA engine's entry cache follows).
     */
    private void freshAreas() {
        if (areasValid && areasEpoch == dma.epoch() && translation.generation() == areasGeneration) {
            return;
        }
        translation = dma.translation(ringAsid);
        areasValid = false;
        descArea.clear();
        availArea.clear();
        usedArea.clear();
        if (translation == null || !SplitRing.validSize(num)) {
            return; // field by field: each access faults and is counted as it happens
        }
        areaResolutions++;
        areasEpoch = dma.epoch();
        areasGeneration = translation.generation();
        descArea.resolve(dma, ringAsid, desc, SplitRing.descTableSize(num), DmaEntry.PERM_RO);
        availArea.resolve(dma, ringAsid, avail, SplitRing.availSize(num), DmaEntry.PERM_RO);
        usedArea.resolve(dma, ringAsid, used, SplitRing.usedSize(num), DmaEntry.PERM_WO);
        areasValid = true;
    }

    private int readAvailU16(long field) {
        freshAreas();
        ChunkView v = availArea.view();
        if (v != null) {
            return v.getU16((int) field); // inside the area: the view is at most 2 GiB
        }
        RamBlock b = availArea.block;
        if (b != null) {
            return b.getU16(availArea.offset + field) & 0xffff;
        }
        return dma.readU16(ringAsid, avail + field, DmaEntry.PERM_RO);
    }

    /**
     * The next available head, or -1 when none is pending or the ring cannot be used now (a fault,
     * counted; or an untrustworthy state, reported to {@code broken}).
     */
    public int pop() {
        if (!layoutChecked) { // the layout only changes with the configuration: checked once per change
            layout = layoutProblem();
            layoutChecked = true;
        }
        if (layout != null) {
            broken.accept(layout);
            return -1;
        }
        int availIdx = readAvailU16(SplitRing.AVAIL_IDX);
        VarHandle.acquireFence(); // the ring entries and descriptors are read after the index
        if (availIdx < 0) {
            return -1;
        }
        int pending = (availIdx - lastAvail) & 0xffff;
        if (pending == 0) {
            return -1;
        }
        if (pending > num) {
            broken.accept("queue " + index + " avail idx " + availIdx + " is " + pending + " ahead of "
                    + lastAvail + " (more than the queue size " + num + ")");
            return -1;
        }
        int head = readAvailU16(SplitRing.availRing(lastAvail & (num - 1)));
        if (head < 0) {
            return -1;
        }
        if (head >= num) {
            broken.accept("queue " + index + " head " + head + " >= queue size " + num);
            return -1;
        }
        lastAvail = (lastAvail + 1) & 0xffff;
        return head;
    }

    /** Starts a walk of the chain at {@code head} (the queue's one reusable chain). */
    public DescriptorChain chain(int head) {
        chain.reset(desc, num, head, indirect);
        return chain;
    }

    /**
     * Reads descriptor {@code i} of the queue's own table into {@code out} as (addr, len|flags|next);
     * false on a fault.
     */
    boolean readTableDesc(int i, long[] out) {
        freshAreas();
        ChunkView v = descArea.view();
        if (v != null) {
            int at = (int) SplitRing.desc(i);
            out[0] = v.getU64(at);
            out[1] = v.getU64(at + SplitRing.DESC_LEN);
            return true;
        }
        RamBlock b = descArea.block;
        if (b != null) {
            long at = descArea.offset + SplitRing.desc(i);
            out[0] = b.getU64(at);
            out[1] = b.getU64(at + SplitRing.DESC_LEN);
            return true;
        }
        return readDescAt(ringAsid, desc + SplitRing.desc(i), out);
    }

    /** Reads the descriptor at {@code iova} (an indirect table entry: the buffers' address space) in one access. */
    boolean readDescAt(long iova, long[] out) {
        return readDescAt(asid, iova, out);
    }

    private boolean readDescAt(int space, long iova, long[] out) {
        if (!dma.readDesc(chunk, space, iova)) {
            return false;
        }
        out[0] = dma.lastLo();
        out[1] = dma.lastHi();
        return true;
    }

    /** Resolves a buffer for a copy (see {@link DmaEngine#resolve}), trying this queue's last chunk first. */
    public boolean resolve(long iova, int len, int perm) {
        return dma.resolve(chunk, asid, iova, len, perm);
    }

    /** Writes used element {id, len} and publishes the new used idx; false on a DMA fault. */
    public boolean addUsed(int id, int len) {
        freshAreas();
        long elem = SplitRing.usedElem(usedIdx & (num - 1));
        ChunkView v = usedArea.view();
        if (v != null) {
            v.putU64((int) elem, (id & 0xffff_ffffL) | ((long) len << 32));
            usedIdx = (usedIdx + 1) & 0xffff;
            VarHandle.releaseFence(); // §2.7.8: the element is visible before the index that publishes it
            v.putU16(SplitRing.USED_IDX, (short) usedIdx);
            return true;
        }
        RamBlock b = usedArea.block;
        if (b != null) {
            b.putU64(usedArea.offset + elem, (id & 0xffff_ffffL) | ((long) len << 32));
        } else if (!dma.writeUsedElem(ringAsid, used + elem, id, len)) {
            return false;
        }
        usedIdx = (usedIdx + 1) & 0xffff;
        // §2.7.8: the element must be visible before the index that publishes it.
        if (b != null) {
            VarHandle.releaseFence();
            b.putU16(usedArea.offset + SplitRing.USED_IDX, (short) usedIdx);
            return true;
        }
        return dma.writeU16(ringAsid, used + SplitRing.USED_IDX, usedIdx, true);
    }

    /**
     * Ends a kick: true when the driver is to be interrupted — something was used and the driver did
     * not suppress it (EVENT_IDX: used_event passed, per {@link SplitRing#needEvent}, as Linux's
     * {@code vring_need_event}; otherwise the avail ring's NO_INTERRUPT flag clear). A fault reading
     * either means no interrupt.
     */
    public boolean endKick() {
        if (usedIdx == usedAtKick) {
            return false;
        }
        boolean notify;
        if (eventIdx) {
            int event = readAvailU16(SplitRing.usedEvent(num));
            notify = event >= 0 && SplitRing.needEvent(event, usedIdx, signalledUsed);
        } else {
            int flags = readAvailU16(SplitRing.AVAIL_FLAGS);
            notify = flags >= 0 && (flags & SplitRing.AVAIL_F_NO_INTERRUPT) == 0;
        }
        if (notify) {
            signalledUsed = usedIdx;
        }
        return notify;
    }
}
