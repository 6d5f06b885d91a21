package org.toyvm.cli;

import io.netty.buffer.PooledByteBufAllocator;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.toyvm.core.units.Sizes;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.MigrationTechniques;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vm.experiment.ClockMode;
import org.toyvm.vm.experiment.MigrationConfig;
import org.toyvm.vm.experiment.MigrationExperiment;
import org.toyvm.vm.experiment.MigrationTable;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.report.IotlbTraceFile;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.MigrationText;
import org.toyvm.vm.report.MigrationTableReport;
import org.toyvm.vm.report.Plots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code toyvm migrate}: live-migrate the toy VM between two simulated hosts and report the downtime
 * stage by stage; {@code --table} runs the published configurations instead (docs/migration.md).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Live-migrate the toy VM from a source to a destination host (one process, one virtual clock)"
                + " and report each stage's cost, IOTLB traffic and the connectivity the peers saw; --table runs the"
                + " published downtime tables' configurations and prints toyvm's figure beside each published cell.")
public final class MigrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GuestMemory memory;

    @Mixin
    KernelAndParent device;

    @Mixin
    QemuOptions.One qemu;

    @Mixin
    MachineShape shape;

    @Option(names = "--early-map", description = "Map guest RAM at the destination before the switchover (E. Pérez's"
            + " .load_setup series; QEMU 10.1 does it at every VM start).")
    boolean earlyMap;

    @Option(names = "--desc-asid", description = "Put the shadow virtqueues' descriptor group in its own address space"
            + " and leave guest RAM at IOVA = GPA (VHOST_BACKEND_F_DESC_ASID, kernel 6.7+, mlx5; Si-Wei Liu's series).")
    boolean descAsid;

    @Option(names = "--persist", description = "Ack VHOST_BACKEND_F_IOTLB_PERSIST and keep the mappings across the"
            + " device resets of the migration (the persist policy; kernel 6.7+).")
    boolean persist;

    @Option(names = "--batch", description = "Send the shadow rings' and control buffers' (un)maps of a device in one"
            + " IOTLB batch (Si-Wei Liu's series).")
    boolean batch;

    @Option(names = "--bandwidth", paramLabel = "SIZE", defaultValue = "1G",
            description = "Migration bandwidth in bytes per second (assumption: a dedicated 10 GbE link; QEMU's own"
                    + " default max-bandwidth is 128M) (default: ${DEFAULT-VALUE}).")
    String bandwidth;

    @Option(names = "--dirty-rate", paramLabel = "SIZE", defaultValue = "16M",
            description = "Bytes per second the guest dirties during the pre-copy (assumption: an almost idle guest;"
                    + " 0 allowed) (default: ${DEFAULT-VALUE}).")
    String dirtyRate;

    @Option(names = "--downtime-limit", paramLabel = "DURATION", defaultValue = "300ms",
            converter = Converters.Duration.class,
            description = "QEMU's downtime-limit: the switchover starts once the rest of RAM fits in it"
                    + " (default: ${DEFAULT-VALUE}, QEMU's).")
    long downtimeLimitNs;

    @Option(names = "--table", description = "Run the published tables' configurations with this cost profile and"
            + " print each published cell beside toyvm's figure and their ratio (the machine and technique options"
            + " are the tables', not the command line's).")
    boolean table;

    @Option(names = "--trace-iotlb", paramLabel = "FILE",
            description = "JSON lines, one per IOTLB message either host wrote, each naming host and device.")
    Path traceIotlb;

    @Mixin
    GuestOptions guest;

    @Mixin
    ReportOptions report;

    @Mixin
    PlotOptions plot;

    @Mixin
    LoggingOptions logging;

    /** Every option resolved and checked before anything runs. */
    MigrationConfig config() {
        // 600 s by default, as sweep: a large guest's VM start (all of RAM mapped with QEMU 10.1+) and a
        // legacy switchover take minutes of virtual time.
        GuestOptions.Resolved g = guest.resolve(600_000_000_000L);
        if (spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption("--settle")) {
            throw new UsageException("bad --settle with migrate: a migration has no reboot to settle after; the"
                    + " traffic after the switchover lasts --warmup");
        }
        RunConfig rc = shape.apply(g.config(memory.bytes(), device.kernel, device.parent,
                persist ? ResetPolicy.PERSIST : ResetPolicy.LEGACY, 0, ClockMode.VIRTUAL, "local", 0).withQemu(qemu.qemu));
        GuestOptions.user(() -> {
            rc.check();
            return null;
        });
        long bw = size("--bandwidth", bandwidth, false);
        long dirty = size("--dirty-rate", dirtyRate, true);
        Bounds.TIMEOUT.check("--downtime-limit", Math.max(downtimeLimitNs, 1_000_000L));
        if (traceIotlb != null) {
            OutputFile.checkWritable("--trace-iotlb", traceIotlb);
        }
        report.check();
        plot.check();
        return GuestOptions.user(() -> new MigrationConfig(rc, new MigrationTechniques(earlyMap, descAsid, batch), bw,
                dirty, downtimeLimitNs, Optional.empty()));
    }

    /** A per-second size ({@code 1G} is 1 GiB/s); 0 only where {@code zeroOk}. */
    private static long size(String option, String text, boolean zeroOk) {
        if (zeroOk && text.strip().matches("0+")) {
            return 0;
        }
        try {
            return Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad " + option + " '" + text + "': expected bytes per second as a size such as 1G"
                    + (zeroOk ? " (or 0)" : ""));
        }
    }

    @Override
    public Integer call() throws Exception {
        logging.apply();
        MigrationConfig cfg = config();
        if (table) {
            MigrationTableReport t = new MigrationTable(cfg.run(), PooledByteBufAllocator.DEFAULT,
                    spec.commandLine().getErr()).run();
            report.emit(spec.commandLine().getOut(), MigrationText.table(t), new Json().pretty(t));
            return 0;
        }
        MigrationExperiment.Outcome outcome;
        String traceFailure = null;
        IotlbTraceFile trace = traceIotlb == null ? null : open(traceIotlb);
        try {
            outcome = new MigrationExperiment(cfg, trace == null ? IotlbTraceSink.NONE : trace,
                    PooledByteBufAllocator.DEFAULT, spec.commandLine().getErr()).run();
        } finally {
            if (trace != null) {
                trace.close();
                traceFailure = trace.failure();
            }
        }
        report.emit(spec.commandLine().getOut(), MigrationText.migration(outcome.report()),
                new Json().pretty(outcome.report()));
        plot.write(f -> Plots.writeTimeline(outcome.timeline(), f, "toyvm migrate: " + Sizes.format(cfg.run().memoryBytes())
                + ", QEMU " + cfg.run().qemu() + ", kernel " + cfg.run().kernel() + ", " + cfg.run().parent()));
        if (traceFailure != null) {
            throw new RunFailure(traceFailure);
        }
        String failure = outcome.report().summary().failure();
        if (failure != null) {
            throw new RunFailure("the migration failed: " + failure);
        }
        return 0;
    }

    private static IotlbTraceFile open(Path p) {
        try {
            return new IotlbTraceFile(p);
        } catch (java.io.IOException e) {
            throw new UsageException("bad --trace-iotlb '" + p + "': cannot write: " + OutputFile.reason(e));
        }
    }
}
