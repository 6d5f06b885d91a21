package org.toyvm.vm.experiment;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.toyvm.core.units.Durations;
import org.toyvm.core.units.Sizes;
import org.toyvm.net.vhost.MigrationTechniques;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.Mlx5Options;
import org.toyvm.vm.migration.RamTransfer;

/**
 * A live migration's options (docs/DESIGN.md §4, {@code toyvm migrate}): the machine and guest of a
 * run ({@code run} — the same machine on both hosts), the techniques of Si-Wei Liu's series, and the
 * RAM transfer. The persistent IOTLB is the run's reset policy ({@link ResetPolicy#PERSIST}).
 *
 * <p>Defaults, each an assumption (no published downtime states them, docs/migration.md §1.5):
 * {@link #DEFAULT_BANDWIDTH} 1 GiB/s (a dedicated 10 GbE migration link nearly saturated, QEMU's
 * max-bandwidth raised as libvirt does — QEMU's own default is 128 MiB/s), {@link #DEFAULT_DIRTY_RATE}
 * 16 MiB/s (an almost idle guest), and QEMU's own default downtime-limit of 300 ms
 * (migration/options.c DEFAULT_MIGRATE_SET_DOWNTIME).
 */
public record MigrationConfig(RunConfig run, MigrationTechniques techniques, long bandwidth, long dirtyRate,
        long downtimeLimitNs, Optional<Mlx5Options> mlx5) {
    public static final long DEFAULT_BANDWIDTH = 1L << 30;
    public static final long DEFAULT_DIRTY_RATE = 16L << 20;
    public static final long DEFAULT_DOWNTIME_LIMIT_NS = 300_000_000L;

    public MigrationConfig {
        if (bandwidth <= 0) {
            throw new IllegalArgumentException("--bandwidth must be positive, got " + bandwidth + " B/s");
        }
        if (dirtyRate < 0) {
            throw new IllegalArgumentException("--dirty-rate must not be negative, got " + dirtyRate + " B/s");
        }
        if (downtimeLimitNs < 0) {
            throw new IllegalArgumentException("--downtime-limit must not be negative");
        }
    }

    /** A migration of {@code run}'s machine with the default transfer and the given techniques. */
    public static MigrationConfig of(RunConfig run, MigrationTechniques techniques) {
        return new MigrationConfig(run, techniques, DEFAULT_BANDWIDTH, DEFAULT_DIRTY_RATE, DEFAULT_DOWNTIME_LIMIT_NS,
                Optional.empty());
    }

    /** The same migration with its mlx5 parents built as {@code mkey} says (a published table's rows between releases). */
    public MigrationConfig withMlx5(Optional<Mlx5Options> mkey) {
        return new MigrationConfig(run, techniques, bandwidth, dirtyRate, downtimeLimitNs, mkey);
    }

    public boolean persist() {
        return run.policy() == ResetPolicy.PERSIST;
    }

    /** The pre-copy this configuration's RAM, bandwidth and dirty rate give. */
    public RamTransfer ram() {
        return RamTransfer.plan(run.memoryBytes(), bandwidth, dirtyRate, downtimeLimitNs);
    }

    /** Every option, for the report: the run's, then the migration's. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(run.toMap());
        m.remove("reboots");
        m.remove("settle_ms");
        m.remove("duration_ms");
        m.put("early_map", techniques.earlyMap());
        m.put("desc_asid", techniques.descAsid());
        m.put("persist", persist());
        m.put("batch", techniques.batch());
        m.put("bandwidth_bytes_per_s", bandwidth);
        m.put("bandwidth", Sizes.format(bandwidth) + "/s");
        m.put("dirty_rate_bytes_per_s", dirtyRate);
        m.put("downtime_limit_ms", Durations.toMillis(downtimeLimitNs));
        mlx5.ifPresent(k -> m.put("mlx5", k.describe()));
        return m;
    }
}
