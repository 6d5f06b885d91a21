package org.toyvm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a report goes: the readable table to stdout, JSON to a file or (with "-") to stdout instead. */
final class Output {
    private Output() {
    }

    /** Prints {@code text}, or the JSON when {@code json} is "-"; writes the JSON file otherwise. */
    static void emit(PrintWriter out, String text, String json, String jsonTarget) throws IOException {
        if ("-".equals(jsonTarget)) {
            out.print(json);
        } else {
            out.print(text);
            if (jsonTarget != null) {
                Files.writeString(Path.of(jsonTarget), json, StandardCharsets.UTF_8);
            }
        }
        out.flush();
    }
}
