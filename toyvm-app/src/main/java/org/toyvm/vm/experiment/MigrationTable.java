package org.toyvm.vm.experiment;

import io.netty.buffer.ByteBufAllocator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.units.Sizes;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.migration.Measure;
import org.toyvm.vm.migration.PublishedTables;
import org.toyvm.vm.report.MigrationReport;
import org.toyvm.vm.report.MigrationTableReport;

/**
 * Runs every row of the published tables ({@link PublishedTables}) as a migration with one cost profile
 * — the one the reboot runs use unless the user gives another — and sets toyvm's figure beside each
 * published cell. Nothing here is tuned per table: a row is only a machine, a software version and a set
 * of techniques.
 */
public final class MigrationTable {
    /** The tolerance: each cell within this factor of the published figure. */
    public static final double FACTOR = 1.5;

    private final RunConfig base;
    private final ByteBufAllocator alloc;
    private final PrintWriter progress;

    /** {@code base}: the guest and cost options every row keeps (ping interval, profile, addresses). */
    public MigrationTable(RunConfig base, ByteBufAllocator alloc, PrintWriter progress) {
        this.base = base;
        this.alloc = alloc;
        this.progress = progress;
    }

    /** The migration a row describes. */
    public MigrationConfig configOf(PublishedTables.Row row) {
        RunConfig rc = base.with(row.kernel(), ParentKind.MLX5, row.persist() ? ResetPolicy.PERSIST : ResetPolicy.LEGACY)
                .withMemory(row.memoryBytes())
                .withQemu(row.qemu())
                .withNet(new NetTopology(row.nics(), row.queuePairs(), base.net().memlockBytes()))
                .withMemoryBackend(BackendChoice.DEFAULT);
        return MigrationConfig.of(rc, row.techniques()).withMlx5(row.mlx5());
    }

    public MigrationTableReport run() {
        List<MigrationTableReport.Table> tables = new ArrayList<>();
        int cells = 0;
        int within = 0;
        for (PublishedTables.Table t : PublishedTables.all()) {
            List<MigrationTableReport.Row> rows = new ArrayList<>();
            for (PublishedTables.Row row : t.rows()) {
                if (progress != null) {
                    progress.println("toyvm migrate --table: " + t.id() + ", " + row.label() + "...");
                    progress.flush();
                }
                MigrationReport r = new MigrationExperiment(configOf(row), IotlbTraceSink.NONE, alloc, null).run().report();
                String failure = r.summary().failure();
                List<MigrationTableReport.Cell> cs = new ArrayList<>();
                for (PublishedTables.Cell c : row.cells()) {
                    Double ms = failure != null ? null : value(r.downtimes(), c.measure());
                    boolean ok = ms != null && c.within(ms, FACTOR);
                    cells++;
                    within += ok ? 1 : 0;
                    cs.add(new MigrationTableReport.Cell(c.measure().column(), c.published(), c.lowMs(), c.highMs(), ms,
                            ms == null ? null : Math.round(c.ratio(ms) * 100) / 100.0, ok));
                }
                rows.add(new MigrationTableReport.Row(row.label(), Sizes.format(row.memoryBytes()), row.nics(),
                        row.queuePairs(), row.kernel().label(), row.qemu().label(), techniques(row), cs, failure));
            }
            tables.add(new MigrationTableReport.Table(t.id(), t.title(), t.source(), t.assumed(), rows));
        }
        return new MigrationTableReport(base.costProfileName(), FACTOR, tables, cells, within);
    }

    static Double value(MigrationReport.Downtimes d, Measure m) {
        return switch (m) {
            case SWITCH_WORST_DEVICE -> d.switchWorstDeviceMs();
            case STOP_COPY_SUM -> d.stopCopySumMs();
            case LAST_SUSPEND_TO_LAST_ENABLE -> d.lastSuspendToLastEnableMs();
        };
    }

    private static String techniques(PublishedTables.Row row) {
        List<String> t = new ArrayList<>();
        if (row.techniques().earlyMap()) {
            t.add("early-map");
        }
        if (row.techniques().descAsid()) {
            t.add("desc-asid");
        }
        if (row.persist()) {
            t.add("persist");
        }
        if (row.techniques().batch()) {
            t.add("batch");
        }
        row.mlx5().ifPresent(k -> t.add("mlx5 " + k.describe()));
        return t.isEmpty() ? "none" : String.join(", ", t);
    }
}
