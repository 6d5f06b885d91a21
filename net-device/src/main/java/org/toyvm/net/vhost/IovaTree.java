package org.toyvm.net.vhost;

import java.util.Map;
import java.util.TreeMap;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.addr.U64;

/**
 * The IOVAs QEMU hands out for memory of its own that the device must reach — the shadow control
 * queue's bounce buffers and vring — as hw/virtio/vhost-iova-tree.c does: {@code vhost_iova_tree_new}
 * starts the usable range at the larger of the device's first IOVA and one host page ("Some devices do
 * not like 0 addresses", iova_min_addr), and {@code vhost_iova_tree_map_alloc} →
 * {@code iova_tree_alloc_map} (util/iova-tree.c) takes the lowest hole that fits, walking the
 * allocations in IOVA order. Guest RAM is not in the tree: without shadow data virtqueues the listener
 * maps it at IOVA = GPA in address space 0, a separate space (the shared tree's comment in
 * {@code vhost_vdpa_net_cvq_start}). One tree per NIC, shared by its vhost devices.
 */
final class IovaTree {
    private final long first;
    private final long last;
    /** Allocated ranges: first IOVA → last IOVA (inclusive), in unsigned order. */
    private final TreeMap<Long, Long> maps = new TreeMap<>(Long::compareUnsigned);

    IovaTree(AddrRange deviceRange) {
        this.first = U64.max(deviceRange.start(), Pages.SIZE);
        this.last = deviceRange.last();
    }

    /** {@code vhost_iova_tree_map_alloc}: the lowest free IOVA range of {@code size} bytes, or null (IOVA_ERR_NOMEM). */
    Iova alloc(long size) {
        if (size <= 0) {
            return null;
        }
        long at = first;
        for (Map.Entry<Long, Long> e : maps.entrySet()) {
            if (U64.lt(at, e.getKey()) && U64.le(size, e.getKey() - at)) {
                break;
            }
            if (U64.ge(e.getValue(), at)) {
                if (e.getValue() == U64.MAX) {
                    return null;
                }
                at = e.getValue() + 1;
            }
        }
        if (U64.gt(at, last) || U64.gt(size - 1, last - at)) {
            return null;
        }
        maps.put(at, at + size - 1);
        return Iova.of(at);
    }

    /** {@code vhost_iova_tree_remove}: frees the range that starts at {@code iova}; false when there is none. */
    boolean remove(Iova iova) {
        return maps.remove(iova.value()) != null;
    }

    /** Ranges allocated now. */
    int size() {
        return maps.size();
    }
}
