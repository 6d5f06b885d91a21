package org.toyvm.vdpa.kernel;

import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;

/**
 * The page pinning of {@code vhost_vdpa_pa_map} / {@code vhost_vdpa_pa_unmap}: the process's
 * RLIMIT_MEMLOCK check ({@code npages + mm->pinned_vm > lock_limit} is -ENOMEM), and per mapped run
 * the pages pinned on the backing block's ledger, added to the process's pinned count, counted and
 * charged — as a range, never page by page.
 */
final class PinAccounting {
    private final HostAddressSpace mm;
    private final CostMeter meter;
    private final KernelCounters counters;

    PinAccounting(HostAddressSpace mm, CostMeter meter, KernelCounters counters) {
        this.mm = mm;
        this.meter = meter;
        this.counters = counters;
    }

    /** The RAM block holding all of {@code [uaddr, uaddr + size)}, or null (pin_user_pages fails). */
    RamBlock backing(long uaddr, long size) {
        return U64.addOverflows(uaddr, size - 1) ? null : mm.blockContaining(uaddr, size);
    }

    /** The block holding {@code hva}, or null. */
    RamBlock blockAt(long hva) {
        return mm.blockAt(hva);
    }

    /** The RLIMIT_MEMLOCK check, before anything is pinned. */
    boolean mayPin(long npages) {
        return mm.mayPin(npages);
    }

    String memlockDetail(long npages) {
        return "pinning " + npages + " pages exceeds RLIMIT_MEMLOCK (" + mm.pinnedPages() + " pinned, limit "
                + U64.dec(mm.memlockLimitBytes()) + " bytes)";
    }

    /** Pins {@code [off, off + len)} of {@code block}. */
    void pin(RamBlock block, long off, long len) {
        long pages = block.pins().pin(off, len);
        mm.accountPinned(pages);
        counters.add(KernelEvent.PAGES_PINNED, pages);
        meter.chargeUnits(CostKind.PIN, pages);
    }

    /** Unpins what {@code e} pinned (its host range). */
    void unpin(DmaEntry e) {
        RamBlock block = mm.blockAt(e.addr());
        long len = e.last() - e.start() + 1;
        long pages = block.pins().unpin(e.addr() - block.base().value(), len);
        mm.accountUnpinned(pages);
        counters.add(KernelEvent.PAGES_UNPINNED, pages);
        meter.chargeUnits(CostKind.UNPIN, pages);
    }
}
