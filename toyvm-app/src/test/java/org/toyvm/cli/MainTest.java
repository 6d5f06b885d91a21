package org.toyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Usage: toyvm"), out.toString());
    }

    @Test
    void versionNamesTheProjectVersion() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("toyvm "), out.toString());
        assertFalse(out.toString().contains("unknown"), "version not filtered into the jar: " + out);
    }

    @Test
    void badOptionIsOneLineAndExitTwo() {
        assertEquals(2, run("--no-such-flag"));
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("--no-such-flag"), e);
    }
}
