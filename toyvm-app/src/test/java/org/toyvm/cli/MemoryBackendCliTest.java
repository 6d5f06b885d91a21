package org.toyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --memory-backend}: a bad value is a user error naming the accepted ones, a PA-mode guest with
 * more IOTLB entries than the model keeps is refused before the run, the default backend is the parent's
 * (thp in PA mode, memfd in VA mode) and the run's header says so, and a private backend under a VA-mode
 * parent runs faithfully without connectivity.
 */
class MemoryBackendCliTest extends CliHarness {
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
    void theDefaultRunIsOnThpUnderAPaModeParentSaysWhyAndAChosenOneIsInTheJsonConfig() {
        assertEquals(0, run(quick("run", "--json", "-")), err.toString());
        String plain = out.toString();
        assertTrue(plain.matches("(?s).*\"memory_backend\"\\s*:\\s*\"thp\".*"), plain);
        assertTrue(plain.contains("default for a PA-mode parent"), plain);
        assertEquals(0, run(quick("run", "--json", "-", "--memory-backend", "hugetlb-1G")), err.toString());
        String chosen = out.toString();
        assertTrue(chosen.matches("(?s).*\"memory_backend\"\\s*:\\s*\"hugetlb-1G\".*"), chosen);
        assertTrue(chosen.matches("(?s).*\"memory_backend_why\"\\s*:\\s*\"--memory-backend\".*"), chosen);
        // PA mode (mlx5): the backend changes runs, not pins or time: the report is the same otherwise.
        String backendLines = "(?m)^\\s*\"memory_backend(_why)?\"\\s*:.*\\R";
        assertEquals(plain.replaceAll(backendLines, ""), chosen.replaceAll(backendLines, ""));
        // "default" names the default: the same run as no option.
        assertEquals(0, run(quick("run", "--json", "-", "--memory-backend", "default")), err.toString());
        assertEquals(plain, out.toString());
    }

    @Test
    void theRunHeaderStatesTheBackendAndWhyForEachKindOfParent() {
        String[][] cases = {{"mlx5", "6.12", "memory backend: thp (default for a PA-mode parent"},
            {"platform", "6.12", "memory backend: thp (default for a PA-mode parent"},
            {"vdpa-sim", "6.1", "memory backend: thp (default for a PA-mode parent"},
            {"vdpa-sim,use_va=off", "6.12", "memory backend: thp (default for a PA-mode parent"},
            {"vdpa-sim", "6.12", "memory backend: memfd (default for a VA-mode parent: vhost_vdpa_va_map maps only"
                    + " shared file-backed memory)"}};
        for (String[] c : cases) {
            assertEquals(0, run(quick("run", "--parent", c[0], "--kernel", c[1])), c[0] + " " + c[1] + ": " + err);
            assertTrue(out.toString().lines().skip(1).findFirst().orElse("").startsWith(c[2]), c[0] + " " + c[1]
                    + ": " + out);
            assertTrue(out.toString().contains("1/1 reboots restored"), out.toString());
            assertFalse(err.toString().contains("warning"), err.toString());
        }
        assertEquals(0, run(quick("run", "--memory-backend", "hugetlb-2M")), err.toString());
        assertTrue(out.toString().contains("\nmemory backend: hugetlb-2M (--memory-backend)\n"), out.toString());
    }

    @Test
    void theDefaultBackendOfALargePaModeGuestIsRefusedNamingTheDefaultAndABackendThatFits() {
        assertEquals(2, run(List.of("run", "--memory", "32T", "--policy", "persist", "--timeout", "3600s")));
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("--memory 32T") && e.contains("--memory-backend thp (the default for a PA-mode parent)")
                && e.contains("16777216 IOTLB entries") && e.contains("--memory-backend hugetlb-1G"), e);
        assertEquals("", out.toString());
        RunCommand c = new RunCommand();
        new picocli.CommandLine(c).parseArgs("--memory", "32T", "--policy", "persist", "--timeout", "3600s",
                "--memory-backend", "hugetlb-1G");
        assertEquals(java.util.Optional.of(org.toyvm.core.mem.MemoryBackend.HUGETLB_1G), c.config().memoryBackend());
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
