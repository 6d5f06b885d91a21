package org.toyvm.vm.experiment;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.toyvm.core.mem.MemoryBackend;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentSpec;

/**
 * One value of {@code --memory-backend}: a backend the user named, or {@code default}, which each run
 * resolves for its parent and kernel ({@link #defaultFor}). A matrix cell's default can differ from its
 * neighbour's: vdpa-sim is in PA mode on 6.1 and in VA mode as shipped from 6.3.
 */
public record BackendChoice(Optional<MemoryBackend> chosen) {
    /** The default of the run's parent: {@code thp} in PA mode, {@code memfd} in VA mode. */
    public static final BackendChoice DEFAULT = new BackendChoice(Optional.empty());

    public BackendChoice {
        Objects.requireNonNull(chosen, "chosen");
    }

    public static BackendChoice of(MemoryBackend backend) {
        return new BackendChoice(Optional.of(backend));
    }

    /**
     * {@code default} or a backend's label (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static BackendChoice parse(String text) {
        if (text != null && text.strip().toLowerCase(Locale.ROOT).equals("default")) {
            return DEFAULT;
        }
        try {
            return of(MemoryBackend.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " or default");
        }
    }

    /** The backend a run on {@code parent} under {@code kernel} gets. */
    public MemoryBackend resolve(ParentSpec parent, KernelVersion kernel) {
        return chosen.orElseGet(() -> defaultFor(parent, kernel));
    }

    /**
     * What QEMU users back guest RAM with when they name nothing special for this parent:
     * <ul>
     * <li>PA mode (mlx5, platform, vdpa-sim on 6.1 or with {@code use_va=off}): {@code thp}, QEMU's
     *     memory-backend-ram, which QEMU madvises MADV_HUGEPAGE ({@code ram_block_add}, system/physmem.c:
     *     {@code qemu_madvise(new_block->host, new_block->max_length, QEMU_MADV_HUGEPAGE)});
     *     {@code vhost_vdpa_pa_map} pins it and makes one IOTLB entry per contiguous run;</li>
     * <li>VA mode (vdpa-sim as shipped on 6.3+): {@code memfd}, because {@code vhost_vdpa_va_map}
     *     (drivers/vhost/vdpa.c, 5.15–6.12) maps only shared file-backed VMAs and skips private
     *     anonymous memory without an error, so a QEMU user of a VA-mode parent must back RAM with
     *     memory-backend-memfd (or hugetlb, share=on) to get connectivity at all.</li>
     * </ul>
     */
    public static MemoryBackend defaultFor(ParentSpec parent, KernelVersion kernel) {
        return parent.usesVa(kernel) ? MemoryBackend.MEMFD : MemoryBackend.THP;
    }

    /** Why {@link #defaultFor} picks what it picks, for the run's header. */
    public static String defaultReason(ParentSpec parent, KernelVersion kernel) {
        return parent.usesVa(kernel) ? "default for a VA-mode parent: vhost_vdpa_va_map maps only shared"
                + " file-backed memory" : "default for a PA-mode parent: anonymous memory with THP, as QEMU's"
                + " memory-backend-ram";
    }

    /** {@code default} or the backend's label, as users write it. */
    public String label() {
        return chosen.map(MemoryBackend::label).orElse("default");
    }

    @Override
    public String toString() {
        return label();
    }
}
