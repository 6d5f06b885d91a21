package org.toyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --memory-backend}: a bad value is a user error naming the accepted ones, a PA-mode guest with
 * more IOTLB entries than the model keeps is refused before the run, the default run's report is what
 * it was, and a private backend under a VA-mode parent runs faithfully without connectivity.
 */
class MemoryBackendCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(List<String> args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static List<String> quick(String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command, "--cost-profile", "zero", "--boot-time", "10ms", "--warmup",
                "50ms", "--settle", "50ms", "--memory", "256M"));
        a.addAll(List.of(more));
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "matrix", "sweep"})
    void anUnknownBackendIsAUserErrorNamingTheAcceptedOnes(String command) {
        assertEquals(2, run(quick(command, "--memory-backend", "hugetlb-4M")));
        String e = err.toString().strip();
        assertEquals("", out.toString());
        assertTrue(e.startsWith("toyvm: ") && e.contains("--memory-backend") && e.contains("hugetlb-4M")
                && e.contains("anon, thp, hugetlb-2M, hugetlb-1G, memfd"), e);
    }

    @Test
    void tooManyPaModeEntriesAreRefusedBeforeTheRun() {
        List<String> args = quick("run", "--memory-backend", "memfd");
        args.set(args.indexOf("256M"), "8G");
        assertEquals(2, run(args));
        assertEquals("", out.toString());
        assertTrue(err.toString().contains("2097152 IOTLB entries"), err.toString());
        // VA mode has one entry per VMA whatever the page size: the same guest is accepted.
        args.addAll(List.of("--parent", "vdpa-sim"));
        assertEquals(0, run(args), err.toString());
    }

    @Test
    void theDefaultRunNamesNoBackendAndAChosenOneIsInTheJsonConfig() {
        assertEquals(0, run(quick("run", "--json", "-")), err.toString());
        assertFalse(out.toString().contains("memory_backend"), "the default report is unchanged");
        String plain = out.toString();
        assertEquals(0, run(quick("run", "--json", "-", "--memory-backend", "hugetlb-1G")), err.toString());
        assertTrue(out.toString().contains("\"memory_backend\" : \"hugetlb-1G\"")
                || out.toString().contains("\"memory_backend\": \"hugetlb-1G\""), out.toString());
        // PA mode (mlx5): the backend changes runs, not pins or time: the report is the same otherwise.
        assertEquals(plain, out.toString().replaceAll("\\s*\"memory_backend\"\\s*:\\s*\"hugetlb-1G\",", ""));
    }

    @Test
    void aPrivateBackendUnderAVaModeParentGetsNoConnectivityAndSaysWhy() {
        assertEquals(1, run(quick("run", "--parent", "vdpa-sim", "--memory-backend", "thp", "--timeout", "1s")));
        assertTrue(err.toString().contains("warning: --memory-backend thp is private anonymous memory"), err.toString());
        assertTrue(err.toString().contains("vhost_vdpa_va_map"), err.toString());
        assertEquals(0, run(quick("run", "--parent", "vdpa-sim", "--memory-backend", "memfd")), err.toString());
        assertFalse(err.toString().contains("warning"), err.toString());
        // vdpa_sim in PA mode pins whatever backs RAM: a private backend works.
        assertEquals(0, run(quick("run", "--parent", "vdpa-sim,use_va=off", "--memory-backend", "thp")), err.toString());
    }
}
