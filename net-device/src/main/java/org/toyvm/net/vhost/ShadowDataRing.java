package org.toyvm.net.vhost;

import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.virtio.SplitRing;

/**
 * The device-facing split ring of a shadowed data virtqueue, in QEMU's own memory
 * (hw/virtio/vhost-shadow-virtqueue.c, 9.2 through master): {@code vhost_svq_start} maps a driver area
 * (descriptor table, avail ring, used_event) and a device area (used ring, avail_event), each
 * page-rounded ({@code vhost_svq_driver_area_size}, {@code vhost_svq_device_area_size}), and threads
 * the descriptors on a free list ({@code desc_state[i].next = i + 1}). QEMU is the driver here:
 * {@link #add} is {@code vhost_svq_add_split} (descriptors taken from the free list, WRITE and NEXT
 * flags set, the head published in the avail ring after the descriptors), {@link #getBuf} is
 * {@code vhost_svq_get_buf} (one used element, its chain returned to the free list), and
 * {@link #needsKick} is {@code vhost_svq_kick}'s test. Indexes start at 0 at every start (the device's
 * base is 0: {@code vhost_vdpa_svq_setup}).
 *
 * <p>The device is less trusted than QEMU: a used id past the ring or naming a chain that is not in
 * flight is skipped ("Device %s says index %u is used[, but it was not available]"), as QEMU does.
 */
final class ShadowDataRing {
    /** A used element handed back: the shadow head's cookie (what {@link #add} stored) and the device's length. */
    record Used(int cookie, long len) {
    }

    private final ShadowRingAreas areas;
    private final RamBlock driver;
    private final RamBlock device;
    private final int num;
    private final long availOff;
    private final int[] next;
    private final int[] ndescs;
    private final int[] cookie;
    private int freeHead;
    private int numFree;
    private int shadowAvailIdx;
    private int lastUsedIdx;
    private int inFlight;
    private long deviceErrors;

    /** vhost_svq_start: the two areas of a ring of {@code num} entries, zeroed (anonymous mappings). */
    ShadowDataRing(HostAddressSpace mm, String name, int num) {
        this.areas = new ShadowRingAreas(mm, name, num);
        this.num = num;
        this.driver = areas.driver();
        this.device = areas.device();
        this.availOff = areas.availOffset();
        this.next = new int[num];
        this.ndescs = new int[num];
        this.cookie = new int[num];
        for (int i = 0; i < num - 1; i++) {
            next[i] = i + 1;
        }
        numFree = num;
    }

    ShadowRingAreas areas() {
        return areas;
    }

    int num() {
        return num;
    }

    /** vhost_svq_available_slots: free descriptors. */
    int freeSlots() {
        return numFree;
    }

    /** Chains added and not returned. */
    int inFlight() {
        return inFlight;
    }

    /** Used elements the device returned that QEMU skipped (bad or repeated ids). */
    long deviceErrors() {
        return deviceErrors;
    }

    /**
     * vhost_svq_add_split: one descriptor per entry of {@code iova}/{@code len}/{@code write} (readable
     * ones first, as the guest's chain), NEXT on all but the last, published in the avail ring.
     * Answers false, adding nothing, when fewer than {@code n} descriptors are free (-ENOSPC).
     */
    boolean add(long[] iova, long[] len, boolean[] write, int n, int chainCookie) {
        if (n == 0 || n > numFree) {
            return false;
        }
        int head = freeHead;
        int i = head;
        int last = head;
        for (int k = 0; k < n; k++) {
            long at = SplitRing.desc(i);
            int flags = (write[k] ? SplitRing.DESC_F_WRITE : 0) | (k + 1 < n ? SplitRing.DESC_F_NEXT : 0);
            driver.putU64(at + SplitRing.DESC_ADDR, iova[k]);
            driver.putU32(at + SplitRing.DESC_LEN, (int) len[k]);
            driver.putU16(at + SplitRing.DESC_FLAGS, (short) flags);
            driver.putU16(at + SplitRing.DESC_NEXT, (short) (k + 1 < n ? next[i] : 0));
            last = i;
            i = next[i];
        }
        freeHead = next[last];
        numFree -= n;
        ndescs[head] = n;
        cookie[head] = chainCookie;
        inFlight++;
        driver.putU16(availOff + SplitRing.availRing(shadowAvailIdx & (num - 1)), (short) head);
        shadowAvailIdx = (shadowAvailIdx + 1) & 0xffff;
        driver.putU16Release(availOff + SplitRing.AVAIL_IDX, (short) shadowAvailIdx); // smp_wmb, then avail->idx
        return true;
    }

    /**
     * vhost_svq_kick's test after an add: with EVENT_IDX the device's avail_event
     * ({@code vring_need_event}), else the used ring's NO_NOTIFY flag.
     */
    boolean needsKick(boolean eventIdx) {
        if (eventIdx) {
            int event = device.getU16Acquire(SplitRing.availEvent(num)) & 0xffff;
            return SplitRing.needEvent(event, shadowAvailIdx, (shadowAvailIdx - 1) & 0xffff);
        }
        return (device.getU16Acquire(SplitRing.USED_FLAGS) & SplitRing.USED_F_NO_NOTIFY) == 0;
    }

    /** vhost_svq_more_used: the device's used index is ahead of what QEMU consumed. */
    boolean moreUsed() {
        return (device.getU16Acquire(SplitRing.USED_IDX) & 0xffff) != lastUsedIdx;
    }

    /**
     * vhost_svq_get_buf: the next used element with its chain freed, or null when none is left. A bad
     * id is consumed, counted and skipped (the loop goes on to the next element).
     */
    Used getBuf() {
        while (moreUsed()) {
            long at = SplitRing.usedElem(lastUsedIdx & (num - 1));
            long id = Integer.toUnsignedLong(device.getU32(at + SplitRing.USED_ELEM_ID));
            long len = Integer.toUnsignedLong(device.getU32(at + SplitRing.USED_ELEM_LEN));
            lastUsedIdx = (lastUsedIdx + 1) & 0xffff;
            if (id >= num || ndescs[(int) id] == 0) {
                deviceErrors++;
                continue;
            }
            int head = (int) id;
            int n = ndescs[head];
            ndescs[head] = 0;
            int lastOfChain = head;
            for (int j = 0; j < n - 1; j++) {
                lastOfChain = next[lastOfChain];
            }
            next[lastOfChain] = freeHead;
            freeHead = head;
            numFree += n;
            inFlight--;
            return new Used(cookie[head], len);
        }
        return null;
    }

    /**
     * vhost_svq_enable_notification / _disable_notification: ask the device for calls (EVENT_IDX:
     * used_event at QEMU's last used index; otherwise NO_INTERRUPT cleared) or not.
     */
    void setDeviceCalls(boolean enable, boolean eventIdx) {
        if (eventIdx) {
            if (enable) {
                driver.putU16(availOff + SplitRing.usedEvent(num), (short) lastUsedIdx);
            }
            return; // disabled: "used event index is already an index too far away"
        }
        int flags = driver.getU16(availOff + SplitRing.AVAIL_FLAGS) & 0xffff;
        driver.putU16(availOff + SplitRing.AVAIL_FLAGS, (short) (enable ? flags & ~SplitRing.AVAIL_F_NO_INTERRUPT
                : flags | SplitRing.AVAIL_F_NO_INTERRUPT));
    }

    /** The cookies of the chains still in flight, in shadow-head order (vhost_svq_stop's walk of desc_state). */
    int[] inFlightCookies() {
        int[] out = new int[inFlight()];
        int k = 0;
        for (int i = 0; i < num; i++) {
            if (ndescs[i] != 0) {
                out[k++] = cookie[i];
            }
        }
        return out;
    }

    /** munmap of both areas (vhost_svq_stop). */
    void free() {
        areas.unmap();
    }
}
