package org.toyvm.net.vhost;

import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.virtio.SplitRing;

/**
 * The split vring of QEMU's shadow control virtqueue (hw/virtio/vhost-shadow-virtqueue.c), in QEMU's
 * own memory ({@link ShadowRingAreas}). QEMU plays the driver: {@link #add} writes one out and one in descriptor and
 * publishes the head ({@code vhost_svq_add_split}), {@link #usedSince} reads what the device returned.
 * The rings start over at index 0 at every start ({@code vhost_svq_start}; the device's base is set to
 * 0 by {@code vhost_vdpa_svq_setup}).
 */
final class ShadowVring {
    private final ShadowRingAreas areas;
    private final RamBlock driver;
    private final RamBlock device;
    private final int num;
    private final long availOff;
    private int availIdx;
    private int usedSeen;
    private int nextDesc;

    private ShadowVring(ShadowRingAreas areas) {
        this.areas = areas;
        this.driver = areas.driver();
        this.device = areas.device();
        this.num = areas.num();
        this.availOff = areas.availOffset();
    }

    /** vhost_svq_start: the rings of a queue of {@code num} entries (the guest's size), zeroed. */
    static ShadowVring allocate(HostAddressSpace mm, String name, int num) {
        return new ShadowVring(new ShadowRingAreas(mm, name, num));
    }

    ShadowRingAreas areas() {
        return areas;
    }

    /** vhost_svq_start: both rings zeroed, indexes back to 0. */
    void restart() {
        areas.zero();
        availIdx = 0;
        usedSeen = 0;
        nextDesc = 0;
    }

    /** vhost_svq_available_slots: descriptors free for chains of two. */
    boolean hasRoomForChain() {
        return nextDesc + 2 <= num;
    }

    /** vhost_svq_add_split: out {@code [out, out+outLen)} device-readable, then in {@code [in, in+inLen)} writable. */
    void add(long outIova, int outLen, long inIova, int inLen) {
        int head = nextDesc;
        writeDesc(head, outIova, outLen, SplitRing.DESC_F_NEXT, head + 1);
        writeDesc(head + 1, inIova, inLen, SplitRing.DESC_F_WRITE, 0);
        nextDesc += 2;
        driver.putU16(availOff + SplitRing.AVAIL_RING + 2L * (availIdx % num), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        driver.putU16Release(availOff + SplitRing.AVAIL_IDX, (short) availIdx);
    }

    private void writeDesc(int i, long addr, int len, int flags, int next) {
        long at = (long) i * SplitRing.DESC_SIZE;
        driver.putU64(at + SplitRing.DESC_ADDR, addr);
        driver.putU32(at + SplitRing.DESC_LEN, len);
        driver.putU16(at + SplitRing.DESC_FLAGS, (short) flags);
        driver.putU16(at + SplitRing.DESC_NEXT, (short) next);
    }

    /**
     * vhost_svq_poll's reading: the used entries the device added since the last call, consumed;
     * answers the sum of their written lengths (each the device's u32, unsigned). The descriptors
     * are free again once nothing is in flight.
     */
    long usedSince() {
        int used = device.getU16Acquire(SplitRing.USED_IDX) & 0xffff;
        long written = 0;
        while (usedSeen != used && (availIdx - usedSeen & 0xffff) != 0) {
            long at = SplitRing.USED_RING + (long) (usedSeen % num) * SplitRing.USED_ELEM_SIZE;
            written += Integer.toUnsignedLong(device.getU32(at + SplitRing.USED_ELEM_LEN));
            usedSeen = (usedSeen + 1) & 0xffff;
        }
        if (usedSeen == availIdx) {
            nextDesc = 0;
        }
        return written;
    }

    /** Commands added and not yet seen used. */
    int inFlight() {
        return (availIdx - usedSeen) & 0xffff;
    }

    void free() {
        areas.unmap();
    }
}
