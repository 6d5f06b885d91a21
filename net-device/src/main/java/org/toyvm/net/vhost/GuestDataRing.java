package org.toyvm.net.vhost;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.addr.U64;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.AddressSpace.RamSlice;
import org.toyvm.memory.FlatRange;

/**
 * The guest's split ring of a shadowed data virtqueue, read and written the way QEMU's
 * hw/virtio/virtio.c does for {@code VirtQueue} (9.2 through master): {@code virtqueue_split_pop},
 * {@code virtqueue_fill}/{@code virtqueue_flush}, {@code virtqueue_unpop},
 * {@code virtio_queue_split_set_notification} and {@code virtio_split_should_notify}. Everything
 * here was written by the guest and is hostile: indexes are u16 and lengths u32 read at their width,
 * the head and every {@code next} checked against the table before they index it, a walk bounded by
 * the table's size, every ring field and buffer resolved to RAM first.
 *
 * <p>Outcomes follow QEMU's {@code virtio_error}: each case below marks the ring broken (QEMU marks
 * the whole device broken, sets NEEDS_RESET with VERSION_1 and pops nothing more until a reset); the
 * model stops this queue, keeps the reason, and writes nothing more to the guest's used ring:
 * <ul>
 *   <li>avail index more than the queue size ahead ("Guest moved used index from %u to %u");</li>
 *   <li>a head past the queue ("Guest says index %u is available");</li>
 *   <li>more chains in use than the queue holds ("Virtqueue size exceeded");</li>
 *   <li>a {@code next} past the table ("Desc next is %u"), a walk longer than the table ("Looped
 *       descriptor"), a readable descriptor after a writable one ("Incorrect order for descriptors");</li>
 *   <li>an indirect head whose length is 0 or not a multiple of 16 ("Invalid size for indirect buffer
 *       table") or whose table is not in RAM ("Cannot map indirect buffer"); the walk then runs inside
 *       that table, bounded by its entry count. As in {@code virtqueue_split_pop}, only the head may
 *       be indirect: INDIRECT on a later descriptor or inside the table is not followed, the
 *       descriptor is a plain buffer. QEMU follows an indirect head whether or not the guest acked
 *       INDIRECT_DESC, and so does the model (the shadow virtqueue allows the feature:
 *       {@code vhost_svq_valid_features});</li>
 *   <li>a zero-length buffer ("zero sized buffers are not allowed"), a buffer not in RAM or running
 *       past 2^64 ("bogus descriptor or out of resources"), more than {@link #MAX_SEGMENTS} pieces in
 *       one chain ("too many write descriptors in indirect table");</li>
 *   <li>the avail or used ring not in (writable) RAM (QEMU's vring caches fail).</li>
 * </ul>
 * A buffer that spans two RAM ranges is split into one piece per range, as {@code virtqueue_map_desc}
 * splits it into iovecs.
 */
final class GuestDataRing {
    /** VIRTQUEUE_MAX_SIZE: the most iovecs one element may have. */
    static final int MAX_SEGMENTS = 1024;

    /** One piece of a guest buffer: guest-physical, inside one RAM range. */
    record Segment(long gpa, long len, boolean write) {
    }

    /** One popped chain (VirtQueueElement): its head and its pieces, readable ones first. */
    record Chain(int head, List<Segment> segments) {
    }

    private final AddressSpace as;
    private final int size;
    private final long desc;
    private final long avail;
    private final long used;
    private final boolean eventIdx;
    private int lastAvail;
    private int usedIdx;
    private int inUse;
    private int signalledUsed;
    private boolean signalledValid;
    /** vq->notification: guest kicks wanted (vring_set_avail_event writes only then). */
    private boolean notification = true;
    private String brokenReason;

    /** A ring of {@code size} entries whose avail and used indexes continue from {@code base}. */
    GuestDataRing(AddressSpace as, int size, long desc, long avail, long used, boolean eventIdx, int base) {
        this.as = as;
        this.size = size;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        this.eventIdx = eventIdx;
        this.lastAvail = base & 0xffff;
        this.usedIdx = base & 0xffff;
        if (!SplitRing.validSize(size)) {
            breakRing("queue size " + Integer.toUnsignedString(size) + " is not a power of two in 1.."
                    + SplitRing.MAX_QUEUE_SIZE);
        }
    }

    boolean broken() {
        return brokenReason != null;
    }

    String brokenReason() {
        return brokenReason;
    }

    int size() {
        return size;
    }

    /** The next avail index QEMU reads (virtqueue's last_avail_idx). */
    int lastAvail() {
        return lastAvail;
    }

    /** The used index QEMU last published. */
    int usedIdx() {
        return usedIdx;
    }

    /** Chains popped and not pushed or unpopped (vq->inuse). */
    int inUse() {
        return inUse;
    }

    private void breakRing(String why) {
        if (brokenReason == null) {
            brokenReason = why;
        }
    }

    private int readU16(long addr) {
        RamSlice s = as.translate(addr, Short.BYTES);
        return s == null ? -1 : s.block().getU16Acquire(s.offset()) & 0xffff;
    }

    private boolean writeU16(long addr, int v) {
        RamSlice s = as.translate(addr, Short.BYTES);
        if (s == null || s.readonly()) {
            return false;
        }
        s.block().putU16Release(s.offset(), (short) v);
        return true;
    }

    /** The guest's avail index, or -1 (ring broken) when it is not in RAM. */
    private int availIdx() {
        int idx = readU16(avail + SplitRing.AVAIL_IDX);
        if (idx < 0) {
            breakRing("avail ring not in RAM");
        }
        return idx;
    }

    /** virtio_queue_empty: nothing new in the avail ring (a broken ring is empty). */
    boolean empty() {
        if (broken()) {
            return true;
        }
        int idx = availIdx();
        return idx < 0 || idx == lastAvail;
    }

    /** virtqueue_split_pop: the next chain, or null when none is available or the ring is (now) broken. */
    Chain pop() {
        if (broken()) {
            return null;
        }
        int idx = availIdx();
        if (idx < 0) {
            return null;
        }
        int pending = (idx - lastAvail) & 0xffff;
        if (pending == 0) {
            return null;
        }
        if (pending > size) {
            breakRing("Guest moved used index from " + lastAvail + " to " + idx);
            return null;
        }
        if (inUse >= size) {
            breakRing("Virtqueue size exceeded");
            return null;
        }
        int head = readU16(avail + SplitRing.availRing(lastAvail & (size - 1)));
        lastAvail = (lastAvail + 1) & 0xffff; // vq->last_avail_idx++ in virtqueue_get_head's call
        if (head < 0) {
            breakRing("avail ring not in RAM");
            return null;
        }
        if (head >= size) {
            breakRing("Guest says index " + head + " is available");
            return null;
        }
        if (eventIdx && notification && !writeU16(used + SplitRing.availEvent(size), lastAvail)) {
            breakRing("used ring not in writable RAM"); // vring_set_avail_event
            return null;
        }
        List<Segment> segs = walk(head);
        if (segs == null) {
            return null;
        }
        inUse++;
        return new Chain(head, segs);
    }

    /** The descriptor loop of virtqueue_split_pop; null (ring broken) on any bad descriptor. */
    private List<Segment> walk(int head) {
        long table = desc;
        int max = size;
        long[] d = new long[4];
        if (!readDesc(table, head, d)) {
            return null;
        }
        if ((d[2] & SplitRing.DESC_F_INDIRECT) != 0) {
            long len = d[1];
            if (len == 0 || len % SplitRing.DESC_SIZE != 0) {
                breakRing("Invalid size for indirect buffer table");
                return null;
            }
            if (as.translate(d[0], len) == null) {
                breakRing("Cannot map indirect buffer");
                return null;
            }
            table = d[0];
            max = (int) Math.min(len / SplitRing.DESC_SIZE, Integer.MAX_VALUE);
            if (!readDesc(table, 0, d)) {
                return null;
            }
        }
        List<Segment> segs = new ArrayList<>();
        boolean sawWrite = false;
        for (int entries = 1;; entries++) {
            boolean write = (d[2] & SplitRing.DESC_F_WRITE) != 0;
            if (!write && sawWrite) {
                breakRing("Incorrect order for descriptors");
                return null;
            }
            sawWrite |= write;
            if (!mapDesc(segs, d[0], d[1], write)) {
                return null;
            }
            if (entries > max) {
                breakRing("Looped descriptor");
                return null;
            }
            if ((d[2] & SplitRing.DESC_F_NEXT) == 0) {
                return segs;
            }
            int next = (int) d[3];
            if (next >= max) {
                breakRing("Desc next is " + next);
                return null;
            }
            if (!readDesc(table, next, d)) {
                return null;
            }
        }
    }

    /** Descriptor {@code i} of {@code table} as {addr, len (u32), flags (u16), next (u16)}; false: broken. */
    private boolean readDesc(long table, int i, long[] out) {
        long at = table + SplitRing.desc(i);
        RamSlice s = U64.addOverflows(table, SplitRing.desc(i)) ? null : as.translate(at, SplitRing.DESC_SIZE);
        if (s == null) {
            breakRing("descriptor " + i + " not in RAM");
            return false;
        }
        out[0] = s.block().getU64(s.offset() + SplitRing.DESC_ADDR);
        out[1] = Integer.toUnsignedLong(s.block().getU32(s.offset() + SplitRing.DESC_LEN));
        out[2] = s.block().getU16(s.offset() + SplitRing.DESC_FLAGS) & 0xffff;
        out[3] = s.block().getU16(s.offset() + SplitRing.DESC_NEXT) & 0xffff;
        return true;
    }

    /** virtqueue_map_desc: the buffer as pieces of RAM ranges; false (ring broken) when it cannot be. */
    private boolean mapDesc(List<Segment> segs, long pa, long sz, boolean write) {
        if (sz == 0) {
            breakRing("virtio: zero sized buffers are not allowed");
            return false;
        }
        if (U64.addOverflows(pa, sz - 1)) {
            breakRing("virtio: bogus descriptor or out of resources");
            return false;
        }
        while (sz > 0) {
            if (segs.size() == MAX_SEGMENTS) {
                breakRing("virtio: too many write descriptors in indirect table");
                return false;
            }
            FlatRange r = as.view().lookup(pa);
            long piece = r == null ? 0 : U64.min(sz, r.last() - pa + 1);
            RamSlice s = piece == 0 ? null : as.translate(pa, piece);
            if (s == null || (write && s.readonly())) {
                breakRing("virtio: bogus descriptor or out of resources");
                return false;
            }
            segs.add(new Segment(pa, piece, write));
            pa += piece;
            sz -= piece;
        }
        return true;
    }

    /** virtqueue_fill: used element {@code usedIdx + offset} = {head, len}, not yet published. */
    void fill(int head, long len, int offset) {
        if (broken()) {
            return; // "if (unlikely(vq->vdev->broken))": nothing written
        }
        long at = used + SplitRing.usedElem((usedIdx + offset) & (size - 1));
        RamSlice e = as.translate(at, SplitRing.USED_ELEM_SIZE);
        if (e == null || e.readonly()) {
            breakRing("used ring not in writable RAM");
            return;
        }
        e.block().putU32(e.offset() + SplitRing.USED_ELEM_ID, head);
        e.block().putU32(e.offset() + SplitRing.USED_ELEM_LEN, (int) len);
    }

    /** virtqueue_flush: publishes {@code count} filled elements (release order); they are no longer in use. */
    void flush(int count) {
        inUse = Math.max(0, inUse - count);
        if (broken() || count == 0) {
            return;
        }
        int idx = (usedIdx + count) & 0xffff;
        if (!writeU16(used + SplitRing.USED_IDX, idx)) {
            breakRing("used ring not in writable RAM");
            return;
        }
        usedIdx = idx;
    }

    /** virtqueue_unpop (len 0) of {@code n} elements: the avail index steps back over them. */
    void unpop(int n) {
        lastAvail = (lastAvail - n) & 0xffff;
        inUse = Math.max(0, inUse - n);
    }

    /**
     * virtio_queue_split_set_notification: without EVENT_IDX the used ring's NO_NOTIFY flag asks the
     * guest not to kick; with it, avail_event tells the guest where to kick next (when enabled: at
     * the current avail index).
     */
    void setNotification(boolean enable) {
        notification = enable;
        if (broken()) {
            return;
        }
        boolean ok;
        if (eventIdx) {
            int idx = enable ? availIdx() : -1;
            ok = !enable || (idx >= 0 && writeU16(used + SplitRing.availEvent(size), idx));
        } else {
            int flags = readU16(used + SplitRing.USED_FLAGS);
            ok = flags >= 0 && writeU16(used + SplitRing.USED_FLAGS,
                    enable ? flags & ~SplitRing.USED_F_NO_NOTIFY : flags | SplitRing.USED_F_NO_NOTIFY);
        }
        if (!ok) {
            breakRing("used ring not in writable RAM");
        }
    }

    /**
     * virtio_split_should_notify after a flush: without EVENT_IDX, unless the guest set
     * VRING_AVAIL_F_NO_INTERRUPT; with it, when the used index passed used_event since the last
     * notification ({@code vring_need_event}), and always the first time. A broken ring: never.
     */
    boolean shouldNotify() {
        if (broken()) {
            return false;
        }
        if (!eventIdx) {
            int flags = readU16(avail + SplitRing.AVAIL_FLAGS);
            return flags >= 0 && (flags & SplitRing.AVAIL_F_NO_INTERRUPT) == 0;
        }
        boolean valid = signalledValid;
        int old = signalledUsed;
        signalledValid = true;
        signalledUsed = usedIdx;
        int event = readU16(avail + SplitRing.usedEvent(size));
        return !valid || (event >= 0 && SplitRing.needEvent(event, usedIdx, old));
    }
}
