package org.toyvm.vm.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.font.FontRenderContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Charts of the reports, written as PNG or SVG by file name: the connectivity timeline of a run
 * (echo replies per interval, one line per NIC, with reset, boot and DRIVER_OK marked) and the
 * downtime-against-memory curve of a sweep, one line per policy.
 */
public final class Plots {
    private static final int WIDTH = 1000;
    /** NIC 0's line as it always was, then one colour per further NIC, none of them a marker's. */
    private static final Color[] NIC_COLORS = {new Color(0x1f77b4), new Color(0x17becf), new Color(0x8c564b),
        new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0xe377c2), new Color(0x393b79), new Color(0x637939)};
    private static final int HEIGHT = 500;
    private static final int LABEL_FONT_PT = 10;
    /** A label row's height and the first row's distance from the top of the plot area. */
    private static final double LABEL_ROW_PX = 13;
    private static final double LABEL_TOP_PX = 3;
    private static final double LABEL_PAD_PX = 4;
    /**
     * The data area's width, a little less than the chart's (axis, insets): estimating it low makes
     * labels look wider against the markers, so rows are spread when in doubt.
     */
    private static final double DATA_WIDTH_PX = WIDTH - 100;

    static {
        // Charts are drawn off-screen; no display is needed or wanted.
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** Checks that {@code file} names a format we write; answers a user-facing error otherwise. */
    public static void checkFormat(Path file) {
        format(file);
    }

    private static String format(Path file) {
        // A root ("/") or an empty path has no file name.
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".svg")) {
            return "svg";
        }
        if (name.endsWith(".png")) {
            return "png";
        }
        throw new IllegalArgumentException("bad plot file '" + file + "': expected a name ending in .svg or .png");
    }

    /**
     * The connectivity timeline: replies per bucket over run time, with milestones as vertical markers;
     * one line per NIC when the run had several (each named by its device).
     */
    public static void writeTimeline(Timeline t, Path file, String title) throws IOException {
        double bucketMs = Math.max(1, Math.ceil(t.endMs() / 200.0));
        int n = (int) Math.ceil(t.endMs() / bucketMs) + 1;
        XYSeriesCollection data = new XYSeriesCollection();
        if (t.nics().isEmpty()) {
            data.addSeries(series("echo replies from the guest per " + fmt(bucketMs) + " ms", t.replies(), bucketMs,
                    n));
        } else {
            for (Timeline.Line l : t.nics()) {
                data.addSeries(series(l.device() + ": echo replies per " + fmt(bucketMs) + " ms", l.replies(),
                        bucketMs, n));
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "run time (s)", "replies per bucket",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYStepRenderer r = new XYStepRenderer();
        r.setSeriesPaint(0, NIC_COLORS[0]);
        // NICs mostly carry the same replies per bucket, so their lines coincide: each later NIC's line
        // is drawn wider and under the earlier ones (series 0 is drawn last), so every line stays visible.
        for (int i = 1; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, NIC_COLORS[i % NIC_COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(1f + 1.5f * i));
        }
        plot.setRenderer(r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        // Labels are staggered in rows where markers are closer than a label's width (LabelRows).
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, LABEL_FONT_PT);
        FontRenderContext frc = new FontRenderContext(null, true, true);
        List<Timeline.Marker> markers = t.markers();
        double[] x = new double[markers.size()];
        double[] w = new double[markers.size()];
        // The axis spans the data plus JFreeChart's upper margin (5%); it sticks at 0 below.
        double endS = Math.max(1e-9, (n - 1) * bucketMs / 1000.0 * 1.05);
        for (int i = 0; i < markers.size(); i++) {
            x[i] = markers.get(i).timeMs() / 1000.0 / endS * DATA_WIDTH_PX; // from the data area's left edge
            w[i] = labelFont.getStringBounds(markers.get(i).label(), frc).getWidth() + LABEL_PAD_PX;
        }
        // Each further NIC adds a reset and a return per reboot near the others: two more rows each, up
        // to twice the rows of one NIC (past that the labels would hide the lines).
        int[] rows = t.nics().isEmpty() ? LabelRows.assign(x, w) : LabelRows.assign(x, w,
                Math.min(2 * LabelRows.MAX_ROWS, LabelRows.MAX_ROWS + 2 * (t.nics().size() - 1)));
        for (int i = 0; i < markers.size(); i++) {
            Timeline.Marker m = markers.get(i);
            ValueMarker vm = new ValueMarker(m.timeMs() / 1000.0);
            vm.setPaint(colorFor(m.label()));
            vm.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
            vm.setLabel(m.label());
            vm.setLabelFont(labelFont);
            boolean right = LabelRows.onTheRight(x[i], w[i]);
            vm.setLabelAnchor(right ? RectangleAnchor.TOP_RIGHT : RectangleAnchor.TOP_LEFT);
            vm.setLabelTextAnchor(right ? TextAnchor.TOP_LEFT : TextAnchor.TOP_RIGHT);
            vm.setLabelOffset(new RectangleInsets(LABEL_TOP_PX + rows[i] * LABEL_ROW_PX, LABEL_PAD_PX / 2, 0,
                    LABEL_PAD_PX / 2));
            plot.addDomainMarker(vm);
        }
        write(chart, file);
    }

    /** Replies per plot bucket ({@code n} buckets of {@code bucketMs}) over run time in seconds. */
    private static XYSeries series(String name, Timeline.Replies replies, double bucketMs, int n) {
        long[] counts = new long[n];
        long[] recorded = replies.counts();
        for (int j = 0; j < recorded.length; j++) {
            // Each recorded bucket goes to the plot bucket of its middle (they are much finer).
            double r = (j + 0.5) * replies.bucketMs();
            int i = (int) Math.min(n - 1, Math.max(0, Math.floor(r / bucketMs)));
            counts[i] += recorded[j];
        }
        XYSeries s = new XYSeries(name);
        for (int i = 0; i < n; i++) {
            s.add(i * bucketMs / 1000.0, counts[i]);
        }
        return s;
    }

    /** A milestone's colour by its kind, whichever NIC's it is ("vhost-vdpa-1 reset #1" is a reset). */
    private static Color colorFor(String label) {
        String kind = label.startsWith("vhost-vdpa-") && label.indexOf(' ') > 0
                ? label.substring(label.indexOf(' ') + 1) : label;
        if (kind.startsWith("reset")) {
            return new Color(0xd62728);
        }
        if (kind.startsWith("DRIVER_OK")) {
            return new Color(0x2ca02c);
        }
        if (kind.startsWith("restored")) {
            return new Color(0x9467bd);
        }
        return new Color(0xff7f0e);
    }

    /**
     * Downtime against guest memory (log scale), one line per policy; per kernel/parent/policy when the
     * sweep ran more than one kernel or parent; and per backend, NIC count and queue pairs given as axes.
     */
    public static void writeSweep(SweepReport sweep, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        boolean oneMachine = sweep.points().stream().map(p -> p.kernel() + "/" + p.parent()).distinct().count() <= 1;
        for (SweepReport.Point p : sweep.points()) {
            XYSeries s;
            // A sweep over backends, NICs or queue pairs draws one line per shape too (the named axes).
            String key = (oneMachine ? p.policy() : p.kernel() + "/" + p.parent() + "/" + p.policy())
                    + ShapeLabel.suffix(p.memoryBackend(), p.nics(), p.queuePairs());
            int idx = data.getSeriesIndex(key);
            if (idx < 0) {
                s = new XYSeries(key);
                data.addSeries(s);
            } else {
                s = data.getSeries(idx);
            }
            if (p.downtimeMs() != null) {
                s.add(p.memoryBytes() / (double) (1L << 30), p.downtimeMs() / 1000.0);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Downtime across a guest reboot against guest memory",
                "guest memory (GiB)", "downtime (s)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogarithmicAxis x = new LogarithmicAxis("guest memory (GiB, log scale)");
        x.setAllowNegativesFlag(false);
        plot.setDomainAxis(x);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        write(chart, file);
    }

    private static void write(JFreeChart chart, Path file) throws IOException {
        if (format(file).equals("png")) {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
            return;
        }
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new java.awt.Rectangle(0, 0, WIDTH, HEIGHT));
        Files.writeString(file, g.getSVGDocument(), StandardCharsets.UTF_8);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
