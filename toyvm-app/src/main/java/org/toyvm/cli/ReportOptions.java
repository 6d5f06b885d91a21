package org.toyvm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --json FILE|-}: where the JSON report goes; the readable table goes to stdout unless it is "-". */
final class ReportOptions {
    @Option(names = "--json", paramLabel = "FILE|-", description = "Write the JSON report to FILE, or to stdout with -.")
    String json;

    /** Checks before the run that the JSON file can be written. */
    void check() {
        if (json != null && !"-".equals(json)) {
            OutputFile.checkWritable("--json", Path.of(json));
        }
    }

    /** Prints {@code text}, or the JSON when the target is "-"; writes the JSON file otherwise. */
    void emit(PrintWriter out, String text, String jsonText) throws RunFailure {
        if ("-".equals(json)) {
            out.print(jsonText);
            out.flush();
            return;
        }
        out.print(text);
        out.flush();
        if (json != null) {
            OutputFile.write("--json", Path.of(json), jsonText);
        }
    }
}
