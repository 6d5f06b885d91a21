package org.toyvm.net.vhost;

import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.virtio.SplitRing;

/**
 * The memory of one shadow vring in QEMU's own address space, as {@code vhost_svq_start} maps it
 * (hw/virtio/vhost-shadow-virtqueue.c): a driver area (descriptor table, avail ring, used_event) and a
 * device area (used ring, avail_event), each page-rounded ({@code vhost_svq_driver_area_size},
 * {@code vhost_svq_device_area_size}) and zeroed. Shared by the shadow control queue's ring
 * ({@link ShadowVring}) and a shadowed data queue's ({@link ShadowDataRing}); what each writes in them
 * is theirs.
 */
final class ShadowRingAreas {
    private final HostAddressSpace mm;
    private final RamBlock driver;
    private final RamBlock device;
    private final int num;

    /** Maps the two areas of a ring of {@code num} entries in {@code mm}, named after {@code name}. */
    ShadowRingAreas(HostAddressSpace mm, String name, int num) {
        this.mm = mm;
        this.num = num;
        this.driver = mm.map(name + ".driver", driverSize(num));
        this.device = mm.map(name + ".device", deviceSize(num));
    }

    static long driverSize(int num) {
        return Pages.alignUp(SplitRing.descTableSize(num) + SplitRing.availSize(num));
    }

    static long deviceSize(int num) {
        return Pages.alignUp(SplitRing.usedSize(num));
    }

    long driverSize() {
        return driver.size();
    }

    long deviceSize() {
        return device.size();
    }

    RamBlock driver() {
        return driver;
    }

    RamBlock device() {
        return device;
    }

    Hva driverArea() {
        return driver.base();
    }

    Hva deviceArea() {
        return device.base();
    }

    /** Offset of the avail ring in the driver area ({@code vhost_vdpa_svq_map_rings}' avail_offset). */
    long availOffset() {
        return SplitRing.descTableSize(num);
    }

    int num() {
        return num;
    }

    /** Both areas zeroed (a restart of the ring). */
    void zero() {
        driver.zero(0, driver.size());
        device.zero(0, device.size());
    }

    /** Both areas unmapped from QEMU's memory. */
    void unmap() {
        mm.unmap(driver);
        mm.unmap(device);
    }
}
