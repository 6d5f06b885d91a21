package org.toyvm.vm.experiment;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * Progress lines on stderr for long runs: at most one a second of wall time, so that a short run
 * prints nothing and stdout keeps the report alone. Reads the wall clock only every few thousand
 * calls, so it can sit in the virtual loop's per-task stop check.
 */
final class Progress {
    private static final long EVERY_NS = 1_000_000_000L;
    private final PrintWriter out;
    private long last = System.nanoTime();
    private int calls;

    Progress(PrintWriter out) {
        this.out = out;
    }

    static Progress none() {
        return new Progress(null);
    }

    /** Prints {@code line} when a second has passed since the last line; answers false (a stop check). */
    boolean tick(Supplier<String> line) {
        if (out == null || (++calls & 0xfff) != 0) {
            return false;
        }
        now(line);
        return false;
    }

    /** Like {@link #tick} but reads the clock on every call (for once-per-reboot use). */
    void now(Supplier<String> line) {
        if (out == null) {
            return;
        }
        long t = System.nanoTime();
        if (t - last >= EVERY_NS) {
            last = t;
            out.println("toyvm: " + line.get());
            out.flush();
        }
    }

    /** Prints {@code line} at once. */
    void line(String line) {
        if (out != null) {
            out.println("toyvm: " + line);
            out.flush();
        }
    }
}
