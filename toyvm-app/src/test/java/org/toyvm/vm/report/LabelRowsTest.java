package org.toyvm.vm.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Marker labels never overlap: coinciding or close markers get their labels in separate rows. */
class LabelRowsTest {
    @TempDir
    Path dir;

    @Test
    void farApartLabelsShareTheFirstRow() {
        assertArrayEquals(new int[] {0, 0, 0}, LabelRows.assign(new double[] {100, 300, 500}, new double[] {50, 50, 50}));
    }

    @Test
    void coincidingMarkersGetOneRowEach() {
        int[] rows = LabelRows.assign(new double[] {400, 400, 405, 900}, new double[] {60, 50, 50, 60});
        assertEquals(0, rows[0]);
        assertEquals(1, rows[1]);
        assertEquals(2, rows[2]);
        assertEquals(0, rows[3], "a marker far to the right goes back to the top row");
    }

    @Test
    void aLabelGoesToTheFirstRowThatIsFreeAgain() {
        // The third label starts after the first one ended (row 0 free again), not below the second.
        int[] rows = LabelRows.assign(new double[] {100, 120, 200}, new double[] {50, 50, 60});
        assertArrayEquals(new int[] {0, 1, 0}, rows);
    }

    @Test
    void aLabelThatWouldCrossTheLeftEdgeIsDrawnToTheRightOfItsMarker() {
        assertTrue(LabelRows.onTheRight(10, 50));
        assertFalse(LabelRows.onTheRight(100, 50));
        // The first label sits at [5, 55]; the one at 40 is also too close to the edge and sits at
        // [40, 90]: another row; the one at 120 fits on the left of its line ([66, 120]): row 0.
        assertArrayEquals(new int[] {0, 1, 0}, LabelRows.assign(new double[] {5, 40, 120}, new double[] {50, 50, 50}));
    }

    @Test
    void manyCoincidingMarkersStayWithinTheRowLimit() {
        double[] x = new double[20];
        double[] w = new double[20];
        java.util.Arrays.fill(x, 300);
        java.util.Arrays.fill(w, 40);
        for (int r : LabelRows.assign(x, w)) {
            assertTrue(r >= 0 && r < LabelRows.MAX_ROWS, "row " + r);
        }
    }

    @Test
    void aRunOfSeveralNicsMayUseMoreRowsButStaysWithinItsOwnLimit() {
        double[] x = new double[20];
        double[] w = new double[20];
        java.util.Arrays.fill(x, 300);
        java.util.Arrays.fill(w, 40);
        int[] rows = LabelRows.assign(x, w, 10);
        assertEquals(10, java.util.Arrays.stream(rows).distinct().count(), java.util.Arrays.toString(rows));
        for (int r : rows) {
            assertTrue(r >= 0 && r < 10, "row " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> LabelRows.assign(x, w, 0));
    }

    @Test
    void theTimelinePlotDrawsCoincidingLabelsOnDifferentLines() throws Exception {
        List<Double> replies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            replies.add(i * 10.0);
        }
        // Boot done and DRIVER_OK at the same instant, the restore 2 ms later (as in a persist run).
        Timeline t = new Timeline(replies, List.of(new Timeline.Marker(1000, "reset #1"),
                new Timeline.Marker(3000, "boot done"), new Timeline.Marker(3000, "DRIVER_OK"),
                new Timeline.Marker(3002, "restored #1")), 4000);
        Path svg = dir.resolve("t.svg");
        Plots.writeTimeline(t, svg, "labels");
        String s = Files.readString(svg);
        double boot = labelY(s, "boot done");
        double ok = labelY(s, "DRIVER_OK");
        double restored = labelY(s, "restored #1");
        assertNotEquals(boot, ok);
        assertNotEquals(ok, restored);
        assertNotEquals(boot, restored);
        assertEquals(labelY(s, "reset #1"), boot, "the lone reset label and the first of the group share the top row");
    }

    /** The y of the SVG text element holding {@code label} (JFreeSVG writes one text element per label). */
    private static double labelY(String svg, String label) {
        Matcher m = Pattern.compile("<text[^>]*\\sy=['\"]([0-9.\\-]+)['\"][^>]*>" + Pattern.quote(label) + "</text>")
                .matcher(svg);
        assertTrue(m.find(), "no text element for " + label);
        return Double.parseDouble(m.group(1));
    }
}
