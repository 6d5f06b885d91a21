package org.toyvm.vm.migration;

import java.util.List;
import java.util.Optional;
import org.toyvm.net.vhost.MigrationTechniques;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.Mlx5Options;

/**
 * The published live-migration downtime tables toyvm holds its default cost profile against, cell by
 * cell as published (docs/migration.md §1, where each figure's source, method and gaps are written
 * down), with the configuration toyvm runs for each row. What a source does not state is an assumption
 * here, named in the row's {@code assumed} text; nothing in a row is a cost.
 */
public final class PublishedTables {
    private PublishedTables() {
    }

    /** A published figure: a value, or a range ("20s ~ 30s"), in ms. */
    public record Cell(Measure measure, double lowMs, double highMs) {
        static Cell of(Measure m, double ms) {
            return new Cell(m, ms, ms);
        }

        /** How far {@code ms} is from the published figure: 1 inside a range, else the ratio to its nearer end. */
        public double ratio(double ms) {
            if (ms < lowMs) {
                return ms / lowMs;
            }
            return ms > highMs ? ms / highMs : 1.0;
        }

        /** Within the factor of 1.5 of the published figure (of the nearer end of a range). */
        public boolean within(double ms, double factor) {
            double r = ratio(ms);
            return r <= factor && r >= 1 / factor;
        }

        public String published() {
            return lowMs == highMs ? fmt(lowMs) : fmt(lowMs) + "–" + fmt(highMs);
        }

        private static String fmt(double ms) {
            return ms >= 1000 ? String.format(java.util.Locale.ROOT, "%.3g s", ms / 1000).replace(".00 s", " s")
                    : String.format(java.util.Locale.ROOT, "%.0f ms", ms);
        }
    }

    /**
     * One row: the machine and software it ran, the techniques it adds, its published cells.
     * {@code mlx5}: how the row's mlx5 parent is built when its kernel sits between releases (the
     * patches of one series it had or lacked).
     */
    public record Row(String label, long memoryBytes, int nics, int queuePairs, KernelVersion kernel, QemuVersion qemu,
            MigrationTechniques techniques, boolean persist, Optional<Mlx5Options> mlx5, List<Cell> cells) {
        public Row {
            cells = List.copyOf(cells);
        }
    }

    /** A table: where it was published, what toyvm assumes about what it does not state, its rows. */
    public record Table(String id, String title, String source, String assumed, List<Row> rows) {
        public Table {
            rows = List.copyOf(rows);
        }
    }

    private static final long GIB = 1L << 30;

    private static MigrationTechniques t(boolean earlyMap, boolean descAsid, boolean batch) {
        return new MigrationTechniques(earlyMap, descAsid, batch);
    }

    /** Si-Wei Liu, qemu-devel 2023-12-07 (docs/migration.md §1.1). */
    public static Table siWeiLiu2023() {
        long mem = 128 * GIB;
        KernelVersion k = KernelVersion.V6_7;
        QemuVersion q = QemuVersion.V9_0;
        Measure d1 = Measure.SWITCH_WORST_DEVICE;
        Measure d2 = Measure.STOP_COPY_SUM;
        return new Table("siwei-2023", "vdpa-net: improve migration downtime through descriptor ASID and persistent IOTLB",
                "Si-Wei Liu, qemu-devel, 7 Dec 2023 (cover letter of the 40-patch series; unmerged)",
                "128 GB read as 128 GiB; kernel 6.7 (the first with DESC_ASID and IOTLB_PERSIST); QEMU 9.0, the oldest"
                        + " toyvm models (the series was on 8.2-rc); THP-backed RAM; bandwidth and dirty rate unstated"
                        + " (they do not enter #1 or #2)",
                List.of(
                        new Row("baseline", mem, 2, 2, k, q, t(false, false, false), false, Optional.empty(),
                                List.of(new Cell(d1, 20_000, 30_000), Cell.of(d2, 20_000))),
                        new Row("+ map at destination early", mem, 2, 2, k, q, t(true, false, false), false,
                                Optional.empty(), List.of(Cell.of(d1, 5_000), Cell.of(d2, 20_000))),
                        new Row("+ descriptor ASID", mem, 2, 2, k, q, t(true, true, false), false, Optional.empty(),
                                List.of(Cell.of(d1, 2_000), Cell.of(d2, 5_000))),
                        new Row("+ persistent IOTLB", mem, 2, 2, k, q, t(true, true, false), true, Optional.empty(),
                                List.of(Cell.of(d1, 2_000), Cell.of(d2, 2_000))),
                        new Row("+ batched (un)map", mem, 2, 2, k, q, t(true, true, true), true, Optional.empty(),
                                List.of(Cell.of(d1, 1_700), Cell.of(d2, 1_500)))));
    }

    /** QEMU 10.1, "vdpa: move memory listener register to vhost_vdpa_init" (docs/migration.md §1.3). */
    public static Table qemu101() {
        KernelVersion k = KernelVersion.V6_8;
        Measure m = Measure.LAST_SUSPEND_TO_LAST_ENABLE;
        return new Table("qemu-10.1", "vdpa: move memory listener register to vhost_vdpa_init",
                "E. Pérez / J. Palmer, qemu-devel v5 cover letter, 22 May 2025 (merged for QEMU 10.1)",
                "one NIC (the post says NICs, no count); 39G/128G read as GiB; kernel unstated, taken as 6.8"
                        + " (serial mlx5 MKEY code, before 6.12's parallel MKEYs); before = QEMU 9.2, after = 10.1;"
                        + " THP-backed RAM; toyvm's default bandwidth and dirty rate (the interval includes the final"
                        + " RAM transfer)",
                List.of(
                        new Row("39G, listener at dev_start (before)", 39 * GIB, 1, 8, k, QemuVersion.V9_2,
                                MigrationTechniques.NONE, false, Optional.empty(), List.of(Cell.of(m, 4_720))),
                        new Row("39G, listener at set_owner (after)", 39 * GIB, 1, 8, k, QemuVersion.V10_1,
                                MigrationTechniques.NONE, false, Optional.empty(), List.of(Cell.of(m, 2_090))),
                        new Row("128G, listener at dev_start (before)", 128 * GIB, 1, 8, k, QemuVersion.V9_2,
                                MigrationTechniques.NONE, false, Optional.empty(), List.of(Cell.of(m, 14_720))),
                        new Row("128G, listener at set_owner (after)", 128 * GIB, 1, 8, k, QemuVersion.V10_1,
                                MigrationTechniques.NONE, false, Optional.empty(), List.of(Cell.of(m, 5_830)))));
    }

    /** D. Tatulea, "vdpa/mlx5: Optimze MKEY operations", Aug 2024, Linux 6.12 (docs/migration.md §1.4). */
    public static Table tatulea2024() {
        long mem = 256 * GIB;
        KernelVersion k = KernelVersion.V6_12;
        QemuVersion q = QemuVersion.V9_0;
        MigrationTechniques all = t(true, true, true);
        Measure d1 = Measure.SWITCH_WORST_DEVICE;
        Measure d2 = Measure.STOP_COPY_SUM;
        return new Table("tatulea-2024", "vdpa/mlx5: Optimze MKEY operations",
                "Dragos Tatulea, virtualization list, 21 Aug 2024 (merged for Linux 6.12)",
                "#1/#2 read as Si-Wei Liu's columns (the cover letter does not define them); QEMU with Si-Wei Liu's"
                        + " series (early map, descriptor ASID, persistent IOTLB, batching) — inferred, since 3 s for"
                        + " 256 GB × 4 devices is far below any re-pin; 256 GB read as 256 GiB; THP-backed RAM",
                List.of(
                        new Row("baseline (serial MKEYs)", mem, 4, 16, k, q, all, true, Optional.of(Mlx5Options.serialMkeys()),
                                List.of(Cell.of(d1, 3_140), Cell.of(d2, 3_630))),
                        new Row("parallel MKEY ops", mem, 4, 16, k, q, all, true,
                                Optional.of(Mlx5Options.inlineMrDeletion(k)),
                                List.of(Cell.of(d1, 1_200), Cell.of(d2, 2_000))),
                        new Row("deferred MR deletion", mem, 4, 16, k, q, all, true,
                                Optional.of(Mlx5Options.of(k)),
                                List.of(Cell.of(d1, 1_014), Cell.of(d2, 1_253)))));
    }

    /** Every table, in the order `toyvm migrate --table` prints them. */
    public static List<Table> all() {
        return List.of(siWeiLiu2023(), qemu101(), tatulea2024());
    }
}
