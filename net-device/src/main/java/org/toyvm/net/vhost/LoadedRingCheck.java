package org.toyvm.net.vhost;

import org.toyvm.core.virtio.SplitRing;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;

/**
 * hw/virtio/virtio.c virtio_load's checks of a migrated queue against the guest's rings (guest RAM
 * arrives before the device state): the guest's avail index may be at most {@code num} ahead of the
 * migrated last avail index ("Guest index ... inconsistent with Host index"), and that index at most
 * {@code num} ahead of the guest's used index ("size ... < last_avail_idx ... - used_idx"); 16-bit
 * arithmetic, both indices read from guest memory (0 where nothing is mapped).
 */
final class LoadedRingCheck {
    private LoadedRingCheck() {
    }

    /** Null when queue {@code q} (its base the migrated index) is coherent with the guest's rings, else why not. */
    static String check(VhostVdpaOps ops, QueueConfig q) {
        int avail = ops.guestU16(q.avail(), SplitRing.AVAIL_IDX);
        int used = ops.guestU16(q.used(), SplitRing.USED_IDX);
        int nheads = (avail - q.base()) & 0xffff;
        if (nheads > q.size()) {
            return "VQ " + q.index() + " size 0x" + Integer.toHexString(q.size()) + " Guest index 0x"
                    + Integer.toHexString(avail) + " inconsistent with Host index 0x" + Integer.toHexString(q.base())
                    + ": delta 0x" + Integer.toHexString(nheads);
        }
        int inuse = (q.base() - used) & 0xffff;
        if (inuse > q.size()) {
            return "VQ " + q.index() + " size 0x" + Integer.toHexString(q.size()) + " < last_avail_idx 0x"
                    + Integer.toHexString(q.base()) + " - used_idx 0x" + Integer.toHexString(used);
        }
        return null;
    }
}
