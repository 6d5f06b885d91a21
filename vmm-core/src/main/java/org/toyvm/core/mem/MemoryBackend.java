package org.toyvm.core.mem;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What backs a RAM block on the host, as QEMU's {@code -object memory-backend-*} chooses it. The
 * backend fixes three facts the kernel acts on:
 * <ul>
 * <li>the page size, which is the physically contiguous run the model assumes (no two pages are
 * assumed adjacent in physical memory, the least the allocator guarantees): {@code
 * vhost_vdpa_pa_map} makes one IOTLB entry per run of consecutive PFNs, so the run decides the number
 * of entries, and of mlx5 MR chunks, of a PA-mode mapping;</li>
 * <li>whether the mapping is shared and file-backed: {@code vhost_vdpa_va_map} (drivers/vhost/vdpa.c,
 * since 41ba1b5f9d4b in 5.15 and unchanged through 6.12) skips, without an error, every VMA for which
 * {@code !(vma->vm_file && (vma->vm_flags & VM_SHARED) && !(vma->vm_flags & (VM_IO | VM_PFNMAP)))},
 * so private anonymous memory gets no entry at all in VA mode;</li>
 * <li>nothing else: pinned pages are counted in 4 KiB units for every backend ({@code npages} and
 * {@code mm->pinned_vm} are in PAGE_SIZE units whatever the folio size).</li>
 * </ul>
 *
 * <table>
 * <caption>backends</caption>
 * <tr><th>label</th><th>QEMU</th><th>page / run</th><th>VA-mappable</th></tr>
 * <tr><td>anon</td><td>memory-backend-ram, THP disabled ({@code transparent_hugepage=never})</td>
 *     <td>4 KiB</td><td>no (private anonymous)</td></tr>
 * <tr><td>thp</td><td>memory-backend-ram (QEMU madvises guest RAM MADV_HUGEPAGE): the default</td>
 *     <td>2 MiB</td><td>no (private anonymous)</td></tr>
 * <tr><td>hugetlb-2M</td><td>memory-backend-memfd,hugetlb=on,hugetlbsize=2M (share=on is memfd's default)</td>
 *     <td>2 MiB</td><td>yes</td></tr>
 * <tr><td>hugetlb-1G</td><td>memory-backend-memfd,hugetlb=on,hugetlbsize=1G</td><td>1 GiB</td><td>yes</td></tr>
 * <tr><td>memfd</td><td>memory-backend-memfd (shmem, {@code shmem_enabled=never}: 4 KiB pages)</td>
 *     <td>4 KiB</td><td>yes</td></tr>
 * </table>
 */
public enum MemoryBackend {
    ANON("anon", 4L << 10, false),
    THP("thp", 2L << 20, false),
    HUGETLB_2M("hugetlb-2M", 2L << 20, true),
    HUGETLB_1G("hugetlb-1G", 1L << 30, true),
    MEMFD("memfd", 4L << 10, true);

    /** The backend of guest RAM when none is chosen: anonymous memory with THP, as QEMU's default. */
    public static final MemoryBackend DEFAULT = THP;

    private final String label;
    private final long pageSize;
    private final boolean sharedFile;

    MemoryBackend(String label, long pageSize, boolean sharedFile) {
        this.label = label;
        this.pageSize = pageSize;
        this.sharedFile = sharedFile;
    }

    /** The name users write ({@code --memory-backend}). */
    public String label() {
        return label;
    }

    /** The backing page size, which is also the physically contiguous run the model assumes. */
    public long pageSize() {
        return pageSize;
    }

    /** True for a MAP_SHARED file mapping (memfd, hugetlbfs): the VMAs vhost_vdpa_va_map maps. */
    public boolean sharedFileBacked() {
        return sharedFile;
    }

    /** The labels, comma-separated, in declaration order. */
    public static String accepted() {
        return Arrays.stream(values()).map(MemoryBackend::label).collect(Collectors.joining(", "));
    }

    /**
     * The backend named {@code label} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static MemoryBackend parse(String label) {
        if (label != null) {
            String l = label.trim().toLowerCase(Locale.ROOT);
            for (MemoryBackend b : values()) {
                if (b.label.toLowerCase(Locale.ROOT).equals(l)) {
                    return b;
                }
            }
        }
        throw new IllegalArgumentException("unknown memory backend '" + label + "': accepted " + accepted());
    }

    @Override
    public String toString() {
        return label;
    }
}
