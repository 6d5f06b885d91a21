package org.toyvm.cli;

import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.units.Durations;
import org.toyvm.core.units.Sizes;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.machine.NetTopology;

/**
 * The documented range of every option that sets simulated time, a size or a count (docs/DESIGN.md §4:
 * "Every option has a documented range; outside it: exit 2, one line"). Each range is shown in the
 * option's {@code --help} line from the same constant that checks it.
 *
 * <p>Why these bounds:
 * <ul>
 * <li>{@code --ping-interval 100us..10s}: 100 µs (10,000 pings/s) resolves downtime ten times finer
 *     than the smallest modelled cost that shapes it (1 ms device reset); finer, a run simulates
 *     pings rather than the reboot (1 ns is 10^9 events per simulated second). Above 10 s a 60 s
 *     timeout sees six pings and downtime is unmeasurable.</li>
 * <li>{@code --boot-time 0s..600s}: the cost profile's {@code guest_boot} range; a large guest's
 *     firmware takes minutes, not hours.</li>
 * <li>{@code --timeout 1ms..86400s} (a day), {@code --duration 1ms..86400s}, {@code --warmup/--settle
 *     0s..3600s}:
 *     a legacy reboot of a multi-TiB guest takes hours of modelled time and still fits; with
 *     {@code --reboots} at most 10,000 a whole run stays below 2^63 ns (292 years) with a wide
 *     margin, so no sum of them can overflow the clock.</li>
 * <li>{@code --reboots 0..10000}: a long soak, not an endless one.</li>
 * <li>{@code --queues 1..16}, {@code --nics 1..8}: {@link NetTopology}'s limits (the toy guest's queue
 *     pairs per NIC; the published multi-NIC figures use 2–4 devices).</li>
 * <li>{@code --memory 64M..4194303G}: the machine's own limits ({@link MachineConfig}): room for
 *     the guest's rings below 64 MiB, and RAM that ends inside the 52-bit physical address width.</li>
 * </ul>
 */
final class Bounds {
    private Bounds() {
    }

    /** A closed range of nanoseconds. */
    record DurationRange(long minNs, long maxNs) {
        void check(String option, long ns) {
            if (ns < minNs || ns > maxNs) {
                throw new UsageException("bad " + option + " " + Durations.format(ns) + ": out of range " + this);
            }
        }

        @Override
        public String toString() {
            return (minNs == 0 ? "0s" : Durations.format(minNs)) + ".." + Durations.format(maxNs);
        }
    }

    /** A closed range of counts. */
    record CountRange(long min, long max) {
        void check(String option, long n) {
            if (n < min || n > max) {
                throw new UsageException("bad " + option + " " + n + ": out of range " + this);
            }
        }

        @Override
        public String toString() {
            return min + ".." + max;
        }
    }

    static final long SECOND = 1_000_000_000L;

    static final DurationRange PING_INTERVAL = new DurationRange(100_000L, 10 * SECOND);
    static final DurationRange BOOT_TIME = new DurationRange(0, CostProfile.max("guest_boot"));
    static final DurationRange WARMUP = new DurationRange(0, 3600 * SECOND);
    static final DurationRange SETTLE = new DurationRange(0, 3600 * SECOND);
    static final DurationRange TIMEOUT = new DurationRange(1_000_000L, 86_400 * SECOND);
    static final DurationRange DURATION = new DurationRange(1_000_000L, 86_400 * SECOND);
    static final DurationRange BENCH_TIME = new DurationRange(10_000_000L, 60 * SECOND);
    static final CountRange REBOOTS = new CountRange(0, 10_000);
    /** {@code --queues}: queue pairs per NIC (VIRTIO_NET_F_MQ; {@link NetTopology#MAX_QUEUE_PAIRS}). */
    static final CountRange QUEUES = new CountRange(1, NetTopology.MAX_QUEUE_PAIRS);
    /** {@code --nics}: vDPA NICs of the VM ({@link NetTopology#MAX_NICS}). */
    static final CountRange NICS = new CountRange(1, NetTopology.MAX_NICS);
    /** Runs one matrix or sweep command may plan (the product of its lists). */
    static final CountRange PLAN_RUNS = new CountRange(1, 1_000);

    /** The accepted guest sizes, as users write them. */
    static final String MEMORY = Sizes.format(MachineConfig.MIN_MEMORY) + ".." + Sizes.format(MachineConfig.MAX_MEMORY);

    /**
     * Parses a count given to {@code option} and checks it against {@code range}.
     *
     * @throws IllegalArgumentException naming the value and the range (a list's element)
     */
    static int count(CountRange range, String text) {
        long v;
        try {
            v = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number in " + range);
        }
        if (v < range.min() || v > range.max()) {
            throw new IllegalArgumentException(text.strip() + " is out of range " + range);
        }
        return (int) v;
    }

    /** Parses and checks a guest size given to {@code option}. */
    static long memory(String option, String text) {
        long v;
        try {
            v = Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad " + option + " '" + text + "': expected a size such as 8G in " + MEMORY);
        }
        try {
            MachineConfig.checkMemory(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad " + option + " " + text + ": " + e.getMessage());
        }
        return v;
    }
}
