package org.toyvm.core.cost;

/**
 * Accumulates modelled time charged by work done on behalf of one caller (the VMM process's
 * syscalls into the kernel model). The caller reads how much was charged across a call and delays
 * its continuation by that much: in virtual time the clock jumps, in real time it is a scheduled
 * delay. Nothing here sleeps.
 */
public final class CostMeter {
    private final CostProfile profile;
    private final long[] byKind = new long[CostKind.values().length];
    private long total;

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

    public long total(CostKind kind) {
        return byKind[kind.ordinal()];
    }
}
