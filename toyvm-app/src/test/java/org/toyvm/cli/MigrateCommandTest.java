package org.toyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code toyvm migrate}: a run's report in text and JSON, and every bad option a one-line user error. */
class MigrateCommandTest extends CliHarness {
    private static List<String> migrate(String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("migrate", "--memory", "256M", "--boot-time", "10ms",
                "--warmup", "100ms", "--ping-interval", "20ms"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aMigrationPrintsItsStagesAndDowntimes() {
        assertEquals(0, run(migrate("--persist", "--batch")), err::toString);
        String text = out.toString();
        for (String want : List.of("switch to shadow virtqueues", "stop (vm_stop)", "start (vm_start)",
                "downtime #1", "migration completed", "persist on, batch on")) {
            assertTrue(text.contains(want), want + " in:\n" + text);
        }
    }

    @Test
    void theJsonReportHasTheStagesAndTheDowntimes() throws Exception {
        assertEquals(0, run(migrate("--nics", "2", "--json", "-")), err::toString);
        JsonNode j = new ObjectMapper().readTree(out.toString());
        assertEquals(2, j.get("nics").size());
        assertTrue(j.get("downtimes").get("stop_copy_sum_ms").asDouble() > 0);
        assertTrue(j.get("summary").get("completed").asBoolean());
        assertEquals(false, j.get("config").get("persist").asBoolean());
    }

    @Test
    void theIotlbTraceNamesTheHostAndTheDeviceOfEveryMessage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path trace = dir.resolve("trace.jsonl");
        assertEquals(0, run(migrate("--trace-iotlb", trace.toString())), err::toString);
        List<String> lines = java.nio.file.Files.readAllLines(trace);
        assertTrue(lines.stream().allMatch(l -> l.contains("\"device\":\"source/vhost-vdpa-0\"")
                || l.contains("\"device\":\"destination/vhost-vdpa-0\"")), () -> lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.contains("destination/")));
        assertTrue(lines.stream().anyMatch(l -> l.contains("source/") && l.contains("INVALIDATE")));
    }

    @ParameterizedTest
    @CsvSource({
        "--bandwidth,0,--bandwidth",
        "--bandwidth,fast,--bandwidth",
        "--dirty-rate,-1M,--dirty-rate",
        "--settle,1s,--settle",
        "--queues,17,--queues",
    })
    void badOptionsAreOneLineUserErrors(String option, String value, String named) {
        assertEquals(2, run(migrate(option, value)));
        String e = err.toString().strip();
        assertTrue(e.contains(named), e);
        assertEquals(1, e.lines().count(), e);
    }

    @Test
    void aMigrationThatCannotConvergeFailsWithExitCode1AndSaysWhy() {
        assertEquals(1, run(migrate("--bandwidth", "64M", "--dirty-rate", "128M")));
        assertTrue(err.toString().contains("does not converge"), err::toString);
    }
}
