package org.toyvm.vm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The matrix's and sweep's shape columns and names: there when a cell names the axis, absent otherwise. */
class ShapeColumnsTest {
    private static MatrixReport.Cell cell(String backend, Integer nics, Integer queues) {
        return new MatrixReport.Cell("6.12", "mlx5", "legacy", true, false, true, 2370.0, 10, 1048640, 0, "why", null,
                "master", backend, nics, queues);
    }

    @Test
    void namedAxesGetAColumnAndASuffixOfTheCellsName() {
        MatrixReport m = new MatrixReport(List.of(cell("hugetlb-1G", 2, 4), cell("thp", 2, 16)));
        List<String> rows = TextReport.matrix(m).lines().toList();
        assertTrue(rows.get(0).startsWith("qemu   kernel parent    policy   backend    nics queues offered"), rows.get(0));
        assertTrue(rows.get(1).startsWith("master 6.12   mlx5      legacy   hugetlb-1G    2      4 yes "), rows.get(1));
        assertTrue(rows.get(2).startsWith("master 6.12   mlx5      legacy   thp           2     16 yes "), rows.get(2));
        assertEquals("master/6.12/mlx5/legacy/hugetlb-1G/nics=2/queues=4: why", rows.get(4));
        String json = new Json().pretty(m);
        assertTrue(json.contains("\"memory_backend\" : \"hugetlb-1G\"") && json.contains("\"nics\" : 2")
                && json.contains("\"queue_pairs\" : 4"), json);
        assertFalse(json.contains("\"name\"") || json.contains("\"shape\""), json);
    }

    @Test
    void noNamedAxisLeavesTheTableAndJsonAsBefore() {
        MatrixReport m = new MatrixReport(List.of(cell(null, null, null)));
        List<String> rows = TextReport.matrix(m).lines().toList();
        assertTrue(rows.get(0).startsWith("qemu   kernel parent    policy   offered"), rows.get(0));
        assertEquals("master/6.12/mlx5/legacy: why", rows.get(3));
        String json = new Json().pretty(m);
        assertFalse(json.contains("memory_backend") || json.contains("nics") || json.contains("queue_pairs"), json);
        SweepReport s = new SweepReport(List.of(new SweepReport.Point(1L << 30, "6.12", "mlx5", "legacy", 1.0, 1, 0, 0,
                true, 1, "boom", "master", null, 3, null)));
        String text = TextReport.sweep(s);
        assertTrue(text.startsWith("memory   qemu   kernel parent    policy   nics restored"), text);
        assertTrue(text.contains("FAILURE 1G/6.12/mlx5/legacy/nics=3: boom"), text);
    }
}
