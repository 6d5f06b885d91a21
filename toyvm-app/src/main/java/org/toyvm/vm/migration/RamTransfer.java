package org.toyvm.vm.migration;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.units.Durations;

/**
 * QEMU's pre-copy of guest RAM as an analytical model (migration/migration.c
 * {@code migration_iteration_run}, {@code migration_update_counters}; migration/ram.c
 * {@code ram_save_iterate}, {@code migration_bitmap_sync}): the first round sends all of RAM at the
 * migration bandwidth; each later round sends what the guest dirtied during the round before (at the
 * dirty rate, at most all of RAM); the source stops the VM as soon as what is left could be sent within
 * the downtime limit ({@code pending_size <= threshold_size}, threshold = bandwidth × downtime-limit),
 * and that rest is the stop-and-copy.
 *
 * <p>Assumptions, stated because no published figure gives them (docs/migration.md §1.5): every page
 * counts at full size (a warmed-up guest: no zero-page shortcut, no compression, no multifd), the dirty
 * rate is constant and spread over distinct pages, and the convergence test runs at round boundaries
 * (QEMU tests it after every iteration; a round boundary is where its pending estimate jumps). A
 * migration whose rounds stop shrinking (dirty rate ≥ bandwidth) never converges without
 * auto-converge or post-copy: QEMU would iterate forever; the model gives up after {@link #MAX_ROUNDS}.
 */
public record RamTransfer(List<Round> rounds, boolean converged, long stopCopyBytes, long stopCopyNs) {
    /** Rounds before the model declares the migration non-converging. */
    public static final int MAX_ROUNDS = 64;

    /** One pre-copy round: what was sent and how long that took at the bandwidth. */
    public record Round(int index, long bytes, long ns) {
    }

    public RamTransfer {
        rounds = List.copyOf(rounds);
    }

    /** The pre-copy's duration: every round's time. */
    public long precopyNs() {
        long t = 0;
        for (Round r : rounds) {
            t = Durations.addSaturating(t, r.ns);
        }
        return t;
    }

    /** Bytes sent before the stop-and-copy. */
    public long precopyBytes() {
        long b = 0;
        for (Round r : rounds) {
            b += r.bytes;
        }
        return b;
    }

    /**
     * The pre-copy of {@code ramBytes} of guest RAM at {@code bandwidth} bytes per second while the
     * guest dirties {@code dirtyRate} bytes per second, switching over below {@code downtimeLimitNs}.
     */
    public static RamTransfer plan(long ramBytes, long bandwidth, long dirtyRate, long downtimeLimitNs) {
        if (ramBytes <= 0 || bandwidth <= 0 || dirtyRate < 0 || downtimeLimitNs < 0) {
            throw new IllegalArgumentException("RAM " + ramBytes + " B, bandwidth " + bandwidth + " B/s, dirty rate "
                    + dirtyRate + " B/s, downtime limit " + downtimeLimitNs + " ns: all must be positive");
        }
        // threshold_size = bandwidth (bytes/ms) × downtime_limit (ms).
        double threshold = bandwidth * (downtimeLimitNs / 1e9);
        List<Round> rounds = new ArrayList<>();
        long pending = ramBytes;
        while (pending > threshold) {
            if (rounds.size() == MAX_ROUNDS) {
                return new RamTransfer(rounds, false, pending, sendNs(pending, bandwidth));
            }
            long ns = sendNs(pending, bandwidth);
            rounds.add(new Round(rounds.size() + 1, pending, ns));
            long dirtied = (long) Math.min((double) ramBytes, dirtyRate * (ns / 1e9));
            if (dirtied >= pending && rounds.size() > 1) {
                // Not shrinking: every further round is at least as long as this one.
                return new RamTransfer(rounds, false, dirtied, sendNs(dirtied, bandwidth));
            }
            pending = dirtied;
        }
        return new RamTransfer(rounds, true, pending, sendNs(pending, bandwidth));
    }

    private static long sendNs(long bytes, long bandwidth) {
        double ns = bytes * 1e9 / bandwidth;
        return ns >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.round(ns);
    }
}
