package org.toyvm.vm.report;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Rows for the timeline's marker labels, so that none overlaps another: each label is drawn to the
 * left of its marker line, ending at it — or, when that would cross the plot's left edge (the first
 * boot's DRIVER_OK near 0), to its right, starting at it — and goes to the first row (from the top)
 * where the labels already placed end before it begins. Markers that coincide (boot done and DRIVER_OK at the same
 * instant, a restore a few milliseconds later) get one row each. Past {@link #MAX_ROWS} rows (or the
 * rows given: a run of several NICs has more milestones) a label goes to the row that frees first, so a
 * crowded run stays inside the plot.
 */
final class LabelRows {
    static final int MAX_ROWS = 6;
    /** Space left between two labels of a row, in pixels. */
    static final double GAP_PX = 4;

    private LabelRows() {
    }

    /** True when the label of a marker at {@code xPx} is drawn to the right of its line (see the class comment). */
    static boolean onTheRight(double xPx, double widthPx) {
        return xPx - widthPx - GAP_PX < 0;
    }

    /**
     * The row of each label, by index. {@code xPx}: where each marker line is drawn, from the data
     * area's left edge; {@code widthPx}: each label's width; both in pixels.
     */
    static int[] assign(double[] xPx, double[] widthPx) {
        return assign(xPx, widthPx, MAX_ROWS);
    }

    /** As {@link #assign(double[], double[])} with at most {@code maxRows} rows (at least one). */
    static int[] assign(double[] xPx, double[] widthPx, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("at least one row");
        }
        if (xPx.length != widthPx.length) {
            throw new IllegalArgumentException("one width per marker");
        }
        Integer[] order = new Integer[xPx.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> xPx[i])); // stable: ties keep their order
        double[] rowEnd = new double[maxRows];
        Arrays.fill(rowEnd, Double.NEGATIVE_INFINITY);
        int[] rows = new int[xPx.length];
        for (int i : order) {
            boolean right = onTheRight(xPx[i], widthPx[i]);
            double left = right ? xPx[i] - GAP_PX : xPx[i] - widthPx[i] - GAP_PX;
            double end = right ? xPx[i] + widthPx[i] : xPx[i];
            int row = -1;
            int freest = 0;
            for (int r = 0; r < maxRows; r++) {
                if (rowEnd[r] <= left) {
                    row = r;
                    break;
                }
                if (rowEnd[r] < rowEnd[freest]) {
                    freest = r;
                }
            }
            if (row < 0) {
                row = freest;
            }
            rows[i] = row;
            rowEnd[row] = end;
        }
        return rows;
    }
}
