package org.toyvm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs toyvm's command line in-process, as the CLI tests do: each {@link #run} starts with empty
 * {@link #out} and {@link #err} and leaves what the command printed in them.
 */
abstract class CliHarness {
    protected final StringWriter out = new StringWriter();
    protected final StringWriter err = new StringWriter();

    protected int run(List<String> args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** A quick virtual run of {@code command}: 256 MiB guest, no modelled costs, short boot and windows. */
    protected static List<String> quick(String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command, "--cost-profile", "zero", "--boot-time", "10ms", "--warmup",
                "50ms", "--settle", "50ms", "--memory", "256M"));
        a.addAll(List.of(more));
        return a;
    }
}
