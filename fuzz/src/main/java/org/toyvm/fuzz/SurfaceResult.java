package org.toyvm.fuzz;

import java.util.List;

/** What one surface's run of the campaign found. */
public record SurfaceResult(String surface, long seed, long inputs, long elapsedNanos, int distinctOutcomes,
        long crashes, long oracleFailures, long leaks, long hangs, List<Finding> findings, String extra) {
    public double inputsPerSecond() {
        return elapsedNanos == 0 ? 0 : inputs * 1e9 / elapsedNanos;
    }

    public boolean clean() {
        return crashes == 0 && oracleFailures == 0 && leaks == 0 && hangs == 0;
    }
}
