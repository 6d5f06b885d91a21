package org.toyvm.net.device;

import org.toyvm.core.addr.Gpa;

/**
 * One virtqueue's registers as the driver wrote them over virtio-mmio (QueueNum, QueueDesc,
 * QueueDriver, QueueDevice, QueueReady), plus the last avail index QEMU keeps for it
 * ({@code vdev->vq[i].last_avail_idx}: set by a vhost stop or by virtio_load, the next start's base).
 */
final class QueueRegisters {
    int num;
    long desc;
    long driver;
    long device;
    boolean ready;
    /** last_avail_idx: what the next start continues from (0 until a stop or a load sets it). */
    int base;

    void clear() {
        num = 0;
        desc = 0;
        driver = 0;
        device = 0;
        ready = false;
        base = 0;
    }

    /** The queue as the backend starts it; the ring addresses leave as guest physical addresses. */
    VirtioNetBackend.QueueConfig config(int index) {
        return new VirtioNetBackend.QueueConfig(index, num, Gpa.of(desc), Gpa.of(driver), Gpa.of(device), ready, base);
    }

    /** virtio_save's view of it. */
    VirtioNetState.QueueState state(int index) {
        return new VirtioNetState.QueueState(index, num, desc, driver, device, ready, base);
    }

    /** virtio_load's (already checked) values. */
    void load(VirtioNetState.QueueState s) {
        num = s.size();
        desc = s.desc();
        driver = s.avail();
        device = s.used();
        ready = s.ready();
        base = s.lastAvailIdx();
    }

    /** A loaded queue as the backend would start it (for virtio_load's ring checks). */
    static VirtioNetBackend.QueueConfig config(VirtioNetState.QueueState s) {
        return new VirtioNetBackend.QueueConfig(s.index(), s.size(), Gpa.of(s.desc()), Gpa.of(s.avail()),
                Gpa.of(s.used()), s.ready(), s.lastAvailIdx());
    }
}
