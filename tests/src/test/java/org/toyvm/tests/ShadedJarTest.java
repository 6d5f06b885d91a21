package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar as users run it: Log4j2 must find its plugins (the shade plugin merges
 * Log4j2Plugins.dat), trace points must reach stderr, and the report must stay alone on stdout.
 */
class ShadedJarTest {
    private static final Path JAR = Path.of("..", "toyvm-app", "target", "toyvm-cli.jar");

    private static String[] run(String... args) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the toyvm module packages " + JAR.toAbsolutePath() + " before these tests");
        String[] cmd = new String[args.length + 3];
        cmd[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        cmd[1] = "-jar";
        cmd[2] = JAR.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String[] {Integer.toString(p.exitValue()), out, err};
    }

    @Test
    void logsAndTracePointsWorkFromTheShadedJar() throws Exception {
        String[] r = run("run", "--memory", "256M", "--policy", "legacy", "--cost-profile", "zero", "--boot-time", "10ms",
                "--warmup", "50ms", "--settle", "50ms", "--log-level", "info", "--trace", "vhost_vdpa_*", "--json", "-");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("vhost_vdpa_iotlb_msg UPDATE"), "trace points on stderr: " + r[2].lines().limit(5).toList());
        assertFalse(r[2].contains("Unable to locate plugin") || r[2].contains("ERROR StatusLogger")
                || r[2].contains("No logging configuration"), "Log4j2 configured from the shaded jar: " + r[2]);
        assertTrue(r[1].startsWith("{") && r[1].contains("\"reboots\""), "stdout holds only the JSON report");
    }

    @Test
    void userErrorsAreOneLineAndExitTwo() throws Exception {
        String[] r = run("run", "--kernel", "6.5");
        assertEquals("2", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("6.5") && r[2].contains("6.6, 6.7"), r[2]);
    }
}
