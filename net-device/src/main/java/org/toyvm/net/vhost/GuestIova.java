package org.toyvm.net.vhost;

import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;

/**
 * Where the device reaches a guest buffer while QEMU shadows a data virtqueue: the IOVA of
 * {@code [gpa, gpa+len)} in the address space of the queue's buffers. With shadow data the listener
 * maps guest RAM at IOVAs from the NIC's IOVA tree, and {@code vhost_svq_translate_addr}
 * (hw/virtio/vhost-shadow-virtqueue.c, 9.2 through master) looks each buffer up there; with
 * descriptor ASID the guest RAM stays at IOVA = GPA in ASID 0 ({@link #identity()}).
 */
@FunctionalInterface
interface GuestIova {
    /**
     * The IOVA of {@code [gpa, gpa+len)}, or null when no one mapping holds the whole buffer
     * ("Invalid address given by guest" / "Guest buffer expands over iova range").
     */
    Iova iovaOf(Gpa gpa, long len);

    /** IOVA = GPA: guest RAM left where the passthrough listener mapped it (descriptor ASID). */
    static GuestIova identity() {
        return (gpa, len) -> Iova.of(gpa.value());
    }
}
