package org.toyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * matrix's and sweep's per-pair and per-NIC details: a cell (point) of several queue pairs on one NIC
 * carries each pair's return, a cell of several NICs each NIC's part of the reboot (its return, downtime,
 * pins, IOTLB messages, refused UPDATEs, and its own pairs' returns); a cell of one NIC and one pair
 * carries neither, and the text table has no column for them. A several-NIC cell's explanation names
 * the NIC that came back last.
 */
class ShapeDetailsCliTest extends CliHarness {
    private static final String[] AXES = {"--kernel", "6.12", "--parent", "mlx5", "--policy", "legacy", "--nics", "1,2",
        "--queues", "1,4"};

    private static void assertNicParts(JsonNode parts, int pairs) {
        assertEquals(2, parts.size(), parts.toString());
        for (int n = 0; n < 2; n++) {
            JsonNode p = parts.get(n);
            assertEquals(n, p.get("nic").asInt());
            assertEquals("vhost-vdpa-" + n, p.get("device").asText());
            assertTrue(p.get("restored").asBoolean(), p.toString());
            assertTrue(p.get("back_after_ms").asDouble() > 0, p.toString());
            assertTrue(p.get("downtime_ms").asDouble() > 0, p.toString());
            assertTrue(p.get("pages_pinned").asLong() > 0, "legacy re-pins each device: " + p);
            assertTrue(p.get("iotlb_messages").asLong() > 0, p.toString());
            assertEquals(0, p.get("map_failures").size(), p.toString());
            if (pairs == 1) {
                assertFalse(p.has("queue_pairs_restored_ms"), p.toString());
            } else {
                assertEquals(pairs, p.get("queue_pairs_restored_ms").size(), p.toString());
            }
        }
    }

    /** The device whose back_after_ms is the largest (the first of equals, as the run picks it). */
    private static String lastBack(JsonNode parts) {
        JsonNode last = parts.get(0);
        for (JsonNode p : parts) {
            if (p.get("back_after_ms").asDouble() > last.get("back_after_ms").asDouble()) {
                last = p;
            }
        }
        return last.get("device").asText();
    }

    @Test
    void matrixCellsCarryPerPairAndPerNicDetailsOnlyWhenTheyHaveThem() throws Exception {
        List<String> a = quick("matrix", AXES);
        a.addAll(List.of("--json", "-"));
        assertEquals(0, run(a), err.toString());
        JsonNode cells = new ObjectMapper().readTree(out.toString()).get("cells");
        assertEquals(4, cells.size());
        for (JsonNode c : cells) {
            int nics = c.get("nics").asInt();
            int pairs = c.get("queue_pairs").asInt();
            assertTrue(c.get("restored").asBoolean(), c.toString());
            if (nics == 1) {
                assertFalse(c.has("nic_results"), c.toString());
                if (pairs == 1) {
                    assertFalse(c.has("queue_pairs_restored_ms"), c.toString());
                } else {
                    JsonNode back = c.get("queue_pairs_restored_ms");
                    assertEquals(pairs, back.size(), c.toString());
                    back.forEach(ms -> assertTrue(ms.asDouble() > 0, c.toString()));
                }
            } else {
                assertFalse(c.has("queue_pairs_restored_ms"), "each NIC has its own: " + c);
                assertNicParts(c.get("nic_results"), pairs);
                String last = lastBack(c.get("nic_results"));
                assertTrue(c.get("explanation").asText().startsWith(last + " came back last: "), c.toString());
            }
        }
    }

    @Test
    void theMatrixTableGainsNoColumnAndNamesTheNicBackLast() {
        assertEquals(0, run(quick("matrix", AXES)), err.toString());
        List<String> lines = out.toString().lines().toList();
        assertEquals("qemu   kernel parent    policy   nics queues offered  acked  restored   downtime ms     iotlb msgs"
                + "   pages pinned   faults", lines.get(0).stripTrailing());
        assertEquals(2, lines.stream().filter(l -> l.matches("master/6\\.12/mlx5/legacy/nics=2/queues=[14]:"
                + " vhost-vdpa-[01] came back last: QEMU master, legacy: .*")).count(), out.toString());
    }

    @Test
    void sweepPointsCarryTheSameDetails() throws Exception {
        List<String> a = quick("sweep", "--policy", "legacy", "--nics", "2", "--queues", "2", "--json", "-");
        assertEquals(0, run(a), err.toString());
        JsonNode points = new ObjectMapper().readTree(out.toString()).get("points");
        assertEquals(1, points.size());
        assertNicParts(points.get(0).get("nic_results"), 2);
        assertEquals(0, run(quick("sweep", "--policy", "legacy", "--queues", "3", "--json", "-")), err.toString());
        JsonNode p = new ObjectMapper().readTree(out.toString()).get("points").get(0);
        assertEquals(3, p.get("queue_pairs_restored_ms").size(), p.toString());
        assertFalse(p.has("nic_results"), p.toString());
        assertEquals(0, run(quick("sweep", "--policy", "legacy", "--json", "-")), err.toString());
        assertFalse(out.toString().contains("queue_pairs_restored_ms") || out.toString().contains("nic_results"),
                out.toString());
    }
}
