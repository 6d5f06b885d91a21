package org.toyvm.net.vhost;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.addr.U64;
import org.toyvm.memory.MemoryListener;
import org.toyvm.memory.MemoryRegionSection;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.kernel.WriteResult;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * The vhost-vdpa memory listener (QEMU hw/virtio/vhost-vdpa.c): turns region_add into an IOTLB
 * UPDATE and region_del into an INVALIDATE, batched between BATCH_BEGIN and BATCH_END, ASID 0.
 * Whether to batch is read at each message ({@code vhost_vdpa_iotlb_batch_begin_once} tests
 * {@code dev->backend_cap}), since before QEMU 10.1 the backend features are only set at the start.
 * Each section goes Gpa → Iova (IOVA = guest physical address: no vIOMMU, no shadow virtqueues) and
 * Gpa → Hva (the RAM block's host address), as vhost_vdpa_listener_region_add computes them.
 *
 * <p>Shadow-data mode ({@link #setShadowTree}, only while unregistered: the switch stops, unregisters
 * and registers again): each section gets an IOVA from the NIC's {@link IovaTree}
 * ({@code vhost_vdpa_listener_region_add} with {@code v->shadow_data}: {@code vhost_iova_tree_map_alloc},
 * keyed by GPA from 10.0 — {@code vhost_iova_tree_map_alloc_gpa}, Jonah Palmer's IOVA-only series,
 * docs/migration.md §2.1), and region_del unmaps at the IOVA the tree gives back for the GPA
 * ({@code vhost_iova_tree_find_iova}, then {@code vhost_iova_tree_remove}). {@link #iovaOf(Gpa, long)}
 * is the GPA → IOVA translation a shadow virtqueue needs for guest buffers.
 *
 * <p>Skipped, as QEMU skips them: sections that are not RAM (MMIO, rom_device), ram_device
 * (doorbell pages), sections starting below the device's IOVA range or ending above it, and
 * sections whose address and region offset disagree in their sub-page bits. Mapped:
 * {@code [page_align_up(start), page_align_down(end))}; ROM read-only.
 */
public final class VhostVdpaListener implements MemoryListener {
    private static final Logger LOG = LogManager.getLogger(VhostVdpaListener.class);
    private static final Logger TRACE_ADD = LogManager.getLogger("trace.vhost_vdpa_listener_region_add");
    private static final Logger TRACE_DEL = LogManager.getLogger("trace.vhost_vdpa_listener_region_del");
    private static final Logger TRACE_MSG = LogManager.getLogger("trace.vhost_vdpa_iotlb_msg");

    private final VhostVdpaDevice dev;
    private final BooleanSupplier batching;
    private final IotlbTraceSink trace;
    private final LongSupplier clock;
    private final FrontendCounters counters;
    private final AddrRange iovaRange;
    private boolean batchOpen;
    private int batchAsid;
    /** Null: IOVA = GPA. Else the tree the sections' IOVAs come from (shadow data virtqueues). */
    private IovaTree shadowTree;
    private boolean registered;
    /** What is mapped now: first GPA of a section's mapped part → {size, iova}. */
    private final TreeMap<Long, long[]> mapped = new TreeMap<>(Long::compareUnsigned);

    VhostVdpaListener(VhostVdpaDevice dev, BooleanSupplier batching, IotlbTraceSink trace, LongSupplier clock,
            FrontendCounters counters) {
        this.dev = dev;
        this.batching = batching;
        this.trace = trace;
        this.clock = clock;
        this.counters = counters;
        this.iovaRange = dev.iovaRange();
    }

    @Override
    public String name() {
        return "vhost-vdpa";
    }

    /**
     * The IOVA the device uses for a guest physical address: the same value. QEMU's
     * vhost_vdpa_listener_region_add takes {@code iova = section->offset_within_address_space} when
     * there is no vIOMMU and no shadow virtqueue (SVQ would allocate IOVAs from its iova tree).
     */
    static Iova iovaOf(Gpa gpa) {
        return Iova.of(gpa.value());
    }

    /**
     * The mode of the next registration: {@code tree} null maps guest RAM at IOVA = GPA, else at IOVAs
     * from {@code tree}. A registered listener keeps its mode (QEMU changes {@code shadow_data} only
     * between a stop and a start, with the listener unregistered); answers whether the mode is now as asked.
     */
    boolean setShadowTree(IovaTree tree) {
        if (registered) {
            return shadowTree == tree;
        }
        shadowTree = tree;
        return true;
    }

    /** Whether guest RAM is (or will be, at the next registration) mapped at IOVAs from the IOVA tree. */
    boolean mapsAtTreeIovas() {
        return shadowTree != null;
    }

    /** The memory API's register/unregister of this listener (VhostVdpaOps tracks it). */
    void registered(boolean r) {
        registered = r;
    }

    /**
     * The IOVA the device reaches {@code [gpa, gpa+len)} at, through the mappings written now, or null
     * when that range is not inside one mapped section (a shadow virtqueue then cannot hand the buffer
     * to the device). IOVA = GPA unless the sections were mapped at tree IOVAs.
     */
    Iova iovaOf(Gpa gpa, long len) {
        Map.Entry<Long, long[]> e = mapped.floorEntry(gpa.value());
        if (e == null || len < 0) {
            return null;
        }
        long off = gpa.value() - e.getKey();
        long size = e.getValue()[0];
        if (U64.ge(off, size) || U64.gt(len, size - off)) {
            return null;
        }
        return Iova.of(e.getValue()[1] + off);
    }

    /**
     * The guest-physical range to map for {@code s} (its page-aligned part), or null when it is
     * skipped: vhost_vdpa_listener_skipped_section, the IOVA-range check, the sub-page alignment check.
     */
    private AddrRange mappable(MemoryRegionSection s) {
        if (!s.region().isRam() && !s.region().isIommu()) {
            return null;
        }
        if (s.region().isRamDevice()) {
            return null;
        }
        long start = s.offsetWithinAddressSpace();
        long last = s.lastInAddressSpace();
        // The device's IOVA range bounds the IOVAs the section would get, which are its GPAs (iovaOf).
        if (U64.lt(iovaOf(Gpa.of(start)).value(), iovaRange.start())
                || U64.gt(iovaOf(Gpa.of(Pages.alignDown(last))).value(), iovaRange.last())) {
            return null;
        }
        if ((start & Pages.MASK) != (s.offsetWithinRegion() & Pages.MASK)) {
            LOG.error("vhost-vdpa: section {} has unaligned address and region offset", s);
            return null;
        }
        long first = Pages.alignUp(start);
        long endExcl = last == U64.MAX ? Pages.alignDown(U64.MAX) : Pages.alignDown(last + 1);
        if (U64.ge(first, endExcl)) {
            return null;
        }
        return new AddrRange(first, endExcl - 1);
    }

    private void beginBatchIfNeeded() {
        beginBatch(0);
    }

    /**
     * {@code vhost_vdpa_iotlb_batch_begin_once} (with Si-Wei Liu's {@code iotlb_batch_asid}): BATCH_BEGIN
     * for {@code asid} when IOTLB_BATCH was acked and no batch is open; a batch open for another ASID is
     * ended first (the kernel refuses an ASID change inside a batch). Answers whether a batch is open.
     */
    boolean beginBatch(int asid) {
        if (!batching.getAsBoolean()) {
            return false;
        }
        if (batchOpen && batchAsid != asid) {
            endBatch();
        }
        if (!batchOpen) {
            send(VhostMsgV2.batchBegin(asid));
            batchOpen = true;
            batchAsid = asid;
        }
        return true;
    }

    /** {@code vhost_vdpa_dma_end_batch}: BATCH_END for the open batch, if one is. */
    void endBatch() {
        if (batchOpen) {
            send(VhostMsgV2.batchEnd(batchAsid));
            batchOpen = false;
        }
    }

    @Override
    public void regionAdd(MemoryRegionSection s) {
        AddrRange r = mappable(s);
        if (r == null) {
            return;
        }
        TRACE_ADD.trace("vhost_vdpa_listener_region_add {} iova {}", s, r);
        beginBatchIfNeeded();
        // vhost_vdpa_listener_region_add: the page-aligned part of the section, Gpa -> Iova (the rule
        // above) and Gpa -> Hva (the RAM block's pointer + offset_within_region + the head the page
        // alignment skipped).
        Gpa gpa = Gpa.of(r.start());
        Iova iova = iovaOf(gpa);
        if (shadowTree != null) {
            // shadow_data: vhost_iova_tree_map_alloc(_gpa) — "Cannot allocate iova" skips the section.
            iova = shadowTree.alloc(r.size());
            if (iova == null) {
                LOG.error("vhost-vdpa: cannot allocate an IOVA for {} (IOVA tree full)", s);
                return;
            }
        }
        Hva hva = Hva.of(s.hostAddress()).plus(gpa.value() - s.offsetWithinAddressSpace());
        int perm = s.readonly() ? VhostUapi.VHOST_ACCESS_RO : VhostUapi.VHOST_ACCESS_RW;
        if (send(VhostMsgV2.update(0, iova, r.size(), hva, perm))) {
            mapped.put(gpa.value(), new long[] {r.size(), iova.value()});
        } else if (shadowTree != null) {
            shadowTree.remove(iova); // the 8.x error path: the section leaves the IOVA tree
        }
    }

    @Override
    public void regionDel(MemoryRegionSection s) {
        AddrRange r = mappable(s);
        if (r == null) {
            return;
        }
        // vhost_vdpa_listener_region_del: the same page-aligned part, unmapped by IOVA.
        TRACE_DEL.trace("vhost_vdpa_listener_region_del {} iova {}", s, r);
        beginBatchIfNeeded();
        long[] m = mapped.remove(r.start());
        if (shadowTree != null) {
            // vhost_iova_tree_find_iova by GPA, then the unmap at that IOVA and vhost_iova_tree_remove.
            if (m == null) {
                return; // never mapped (its add failed): nothing to unmap
            }
            shadowTree.remove(Iova.of(m[1]));
            send(VhostMsgV2.invalidate(0, Iova.of(m[1]), m[0]));
        } else if (r.coversAll()) {
            // A 2^64 unmap does not fit in one message: split in two.
            send(VhostMsgV2.invalidate(0, Iova.of(0), 1L << 63));
            send(VhostMsgV2.invalidate(0, Iova.of(1L << 63), 1L << 63));
        } else {
            send(VhostMsgV2.invalidate(0, iovaOf(Gpa.of(r.start())), r.size()));
        }
    }

    @Override
    public void commit() {
        endBatch();
    }

    /** Writes one message (counted and traced); answers whether the kernel took it. */
    boolean send(VhostMsgV2 m) {
        byte[] bytes = m.encode();
        WriteResult r = dev.write(bytes);
        switch (m.iotlbType()) {
            case VhostUapi.VHOST_IOTLB_UPDATE -> {
                counters.update++;
                counters.bytesMapped += m.size();
                if (m.asid() != 0) {
                    counters.cvqUpdate++;
                    counters.cvqBytesMapped += m.size();
                }
            }
            case VhostUapi.VHOST_IOTLB_INVALIDATE -> {
                counters.invalidate++;
                if (m.asid() != 0) {
                    counters.cvqInvalidate++;
                }
            }
            case VhostUapi.VHOST_IOTLB_BATCH_BEGIN -> counters.batchBegin++;
            default -> counters.batchEnd++;
        }
        String result = r.ok() ? "ok" : r.errno().name();
        if (!r.ok()) {
            counters.failed++;
            LOG.warn("vhost-vdpa: {} iova {} size {} failed: {} ({})", m.typeName(), U64.hex(m.iova().value()),
                    U64.hex(m.size()), r.errno(), dev.lastDetail());
        }
        TRACE_MSG.trace("vhost_vdpa_iotlb_msg {} iova {} size {} uaddr {} perm {} -> {}", m.typeName(),
                U64.hex(m.iova().value()), U64.hex(m.size()), U64.hex(m.uaddr().value()), m.perm(), result);
        trace.written(clock.getAsLong(), m, result);
        return r.ok();
    }
}
