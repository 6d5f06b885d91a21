package org.toyvm.core.cost;

import org.toyvm.core.time.Causality;

/**
 * Accumulates modelled time charged by work done on behalf of one caller (the VMM process's
 * syscalls into the kernel model). The caller reads how much was charged across a call and delays
 * its continuation by that much: in virtual time the clock jumps, in real time it is a scheduled
 * delay. Nothing here sleeps.
 *
 * <p>The caller also brackets each synchronous operation ({@link #beginOperation}, {@link
 * #endOperation}; a vCPU exit): inside one, the meter is the operation's {@link Causality}, so
 * whatever the operation makes visible to the outside (the NIC starting at DRIVER_OK) takes hold at
 * the operation's start plus the cost charged before it, not at the instant the simulation ran it.
 */
public final class CostMeter implements Causality {
    private final CostProfile profile;
    private final long[] byKind = new long[CostKind.values().length];
    private long total;
    /** Depth of open operations (an operation may run inside another: the outer one counts). */
    private int depth;
    /** Time from the outermost operation's start to now() when it began (a vCPU still frozen). */
    private long opStartLag;
    /** {@link #total} when the outermost operation began. */
    private long opStartTotal;

    public CostMeter(CostProfile profile) {
        this.profile = profile;
    }

    public CostProfile profile() {
        return profile;
    }

    /** Charges {@code nanos} to {@code kind}. */
    public void charge(CostKind kind, long nanos) {
        if (nanos <= 0) {
            return;
        }
        // Saturating: a profile figure near the top of the clock must not wrap the running total
        // (a call's cost is read as a difference of totals and would come out negative).
        byKind[kind.ordinal()] = org.toyvm.core.units.Durations.addSaturating(byKind[kind.ordinal()], nanos);
        total = org.toyvm.core.units.Durations.addSaturating(total, nanos);
    }

    /** Charges {@code units} × the profile's per-unit figure for {@code kind} (pages, calls, GiB as a fraction). */
    public void chargeUnits(CostKind kind, double units) {
        charge(kind, Math.round(units * profile.nanosPerUnit(kind)));
    }

    /** All time charged so far; take it before and after a call to get that call's cost. */
    public long total() {
        return total;
    }

    /**
     * A synchronous operation starts; {@code startLagNanos} is how far after now() it really starts
     * (a vCPU exit issued while the vCPU is still frozen by an earlier one starts when that ends).
     * Nested operations belong to the outermost one.
     */
    public void beginOperation(long startLagNanos) {
        if (depth++ == 0) {
            opStartLag = Math.max(0, startLagNanos);
            opStartTotal = total;
        }
    }

    /** The operation ends; answers the cost charged inside it (0 for a nested one). */
    public long endOperation() {
        if (depth == 0) {
            throw new IllegalStateException("no operation is open");
        }
        return --depth == 0 ? total - opStartTotal : 0;
    }

    /** True while an operation is open. */
    public boolean inOperation() {
        return depth > 0;
    }

    /** The cost charged so far inside the open operation (0 outside one). */
    public long chargedInOperation() {
        return depth == 0 ? 0 : total - opStartTotal;
    }

    @Override
    public long lagNanos() {
        return depth == 0 ? 0 : org.toyvm.core.units.Durations.addSaturating(opStartLag, total - opStartTotal);
    }

    public long total(CostKind kind) {
        return byKind[kind.ordinal()];
    }
}
