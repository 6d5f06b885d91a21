package org.toyvm.vdpa.kernel;

import org.toyvm.core.addr.Pages;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.uapi.Errno;

/**
 * How an accepted UPDATE becomes table entries, by the parent's {@code use_va}: the two halves of
 * drivers/vhost/vdpa.c {@code vhost_vdpa_process_iotlb_update} after its range and overlap checks.
 * <ul>
 * <li>{@link Pa} ({@code vhost_vdpa_pa_map}): whole pages pinned and accounted, one entry per
 * physically contiguous run;</li>
 * <li>{@link Va} ({@code vhost_vdpa_va_map}): nothing rounded, nothing pinned, no RLIMIT_MEMLOCK
 * check; one entry per VMA the range crosses.</li>
 * </ul>
 * Each run goes to a {@link RunSink}, which adds the entry and hands it to the parent; when the
 * sink fails the mapping stops and the handler undoes every entry of the message.
 */
sealed interface UserMapping permits UserMapping.Pa, UserMapping.Va {

    /** Adds one entry {@code [iova, iova + len - 1] -> addr} and maps it in the parent; OK or the parent's errno. */
    @FunctionalInterface
    interface RunSink {
        Errno map(long iova, long len, long addr);
    }

    /** Why a mapping stopped before the parent was asked (inner errno, reason, detail). */
    record Refusal(Errno inner, IotlbFailure why, String detail) {
    }

    /**
     * Maps the message's range; null when every run reached the sink (the sink's own failures are
     * the caller's to report), else the refusal.
     */
    Refusal map(long iova, long size, long uaddr, RunSink sink);

    /** An entry leaving the table: its pages unpinned (PA) or nothing (VA). */
    void unmapped(DmaEntry e);

    /** PA mode: vhost_vdpa_pa_map (v6.1 and v6.12 alike) and vhost_vdpa_pa_unmap. */
    record Pa(PinAccounting pins) implements UserMapping {
        /** pin_user_pages is called for at most this many pages at a time (PAGE_SIZE / sizeof(struct page *)). */
        static final long PIN_BATCH = Pages.SIZE / 8;

        /**
         * The range is taken in whole pages from the IOVA's page offset: {@code npages =
         * PFN_UP(size + (iova & ~PAGE_MASK))} (0 when the sum wraps: -EINVAL), the RLIMIT_MEMLOCK
         * check ({@code npages + pinned_vm > limit}: -ENOMEM), then {@code npages} pages pinned from
         * {@code uaddr & PAGE_MASK} and mapped from {@code iova & PAGE_MASK} — the uaddr's own page
         * offset is dropped. A range not wholly in one mapped block fails to pin: -EFAULT when a
         * pin_user_pages batch starts unmapped, -ENOMEM when it pins only part of a batch.
         */
        @Override
        public Refusal map(long iova, long size, long uaddr, RunSink sink) {
            long sum = size + (iova & Pages.MASK);
            long npages = (sum + Pages.MASK) >>> Pages.SHIFT; // PFN_UP, wrapping as the u64 sum does
            if (npages == 0) {
                return new Refusal(Errno.EINVAL, IotlbFailure.OVERFLOW,
                        "size " + U64.hex(size) + " + the page offset of iova " + U64.hex(iova) + " wraps past 2^64");
            }
            if (!pins.mayPin(npages)) {
                return new Refusal(Errno.ENOMEM, IotlbFailure.MEMLOCK, pins.memlockDetail(npages));
            }
            long pageBase = Pages.alignDown(uaddr);
            long bytes = npages << Pages.SHIFT;
            RamBlock block = pins.backing(pageBase, bytes);
            if (block == null) {
                Errno inner = unpinnable(pageBase);
                return new Refusal(inner, inner == Errno.EFAULT ? IotlbFailure.UNMAPPED_UADDR : IotlbFailure.PARTIAL_PIN,
                        "uaddr pages [" + U64.hex(pageBase) + ", +" + U64.hex(bytes)
                                + ") are not all mapped memory of the process");
            }
            // One entry and one parent call per physically contiguous run of the backing block.
            long base = block.base().value();
            long off = pageBase - base;
            long end = off + bytes;
            long run = block.physRunSize();
            long firstIova = iova & ~Pages.MASK;
            for (long cur = off; cur < end;) {
                long runEnd = Math.min(end, (cur / run + 1) * run);
                long len = runEnd - cur;
                pins.pin(block, cur, len);
                if (sink.map(firstIova + (cur - off), len, base + cur) != Errno.OK) {
                    return null;
                }
                cur = runEnd;
            }
            return null;
        }

        /** pin_user_pages' answer for the batch that leaves the block: nothing pinned is -EFAULT, part -ENOMEM. */
        private Errno unpinnable(long pageBase) {
            RamBlock first = pins.blockAt(pageBase);
            if (first == null) {
                return Errno.EFAULT;
            }
            long available = (Pages.alignUp(first.size()) - (pageBase - first.base().value())) >>> Pages.SHIFT;
            return available % PIN_BATCH == 0 ? Errno.EFAULT : Errno.ENOMEM;
        }

        @Override
        public void unmapped(DmaEntry e) {
            pins.unpin(e);
        }
    }

    /**
     * VA mode: vhost_vdpa_va_map (v6.12). For each VMA from {@code find_vma(uaddr)} — the first one
     * ending above uaddr — an entry {@code [iova, iova + min(size, vm_end - uaddr) - 1] -> uaddr};
     * no VMA left is -EINVAL. Only a file-backed shared VMA gets its entry: the kernel skips any other
     * ({@code if (!(vma->vm_file && (vma->vm_flags & VM_SHARED) && !(vma->vm_flags & (VM_IO |
     * VM_PFNMAP)))) goto next;}, vhost_vdpa_va_map in 5.15 through 6.12) without an error, so guest
     * RAM on private anonymous memory ({@code anon}, {@code thp}) is accepted with no entry and the
     * device's accesses to it fault — the reason VA-mode users back guest RAM with memfd or shared
     * hugetlbfs. A block is shared as its {@link RamBlock#sharedFileBacked} says.
     */
    record Va(HostAddressSpace mm) implements UserMapping {
        @Override
        public Refusal map(long iova, long size, long uaddr, RunSink sink) {
            long mapIova = iova;
            long left = size;
            long addr = uaddr;
            while (left != 0) {
                RamBlock vma = firstEndingAbove(addr);
                if (vma == null) {
                    return new Refusal(Errno.EINVAL, IotlbFailure.NO_VMA,
                            "no VMA at or above uaddr " + U64.hex(addr));
                }
                long vmEnd = vma.base().value() + Pages.alignUp(vma.size());
                long mapSize = U64.lt(left, vmEnd - addr) ? left : vmEnd - addr;
                if (vma.sharedFileBacked() && sink.map(mapIova, mapSize, addr) != Errno.OK) {
                    return null;
                }
                left -= mapSize;
                addr += mapSize;
                mapIova += mapSize;
            }
            return null;
        }

        private RamBlock firstEndingAbove(long addr) {
            for (RamBlock b : mm.blocks()) { // in address order
                if (U64.gt(b.base().value() + Pages.alignUp(b.size()), addr)) {
                    return b;
                }
            }
            return null;
        }

        @Override
        public void unmapped(DmaEntry e) {
            // vhost_vdpa_va_unmap: the file reference is dropped, no page was pinned
        }
    }
}
