package org.toyvm.vm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    @TempDir
    Path dir;

    private static Timeline timeline() {
        List<Double> replies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            replies.add(i * 10.0);
        }
        for (int i = 300; i < 400; i++) {
            replies.add(i * 10.0);
        }
        return new Timeline(replies, List.of(new Timeline.Marker(1000, "reset #1"), new Timeline.Marker(3000, "boot done"),
                new Timeline.Marker(3001, "DRIVER_OK"), new Timeline.Marker(3010, "restored")), 4000);
    }

    @Test
    void writesTimelineAsSvgAndPng() throws Exception {
        Path svg = dir.resolve("t.svg");
        Plots.writeTimeline(timeline(), svg, "test");
        String s = Files.readString(svg);
        assertTrue(s.startsWith("<svg") || s.contains("<svg"), "not an SVG document");
        assertTrue(s.contains("reset #1"), "markers are labelled");
        Path png = dir.resolve("t.png");
        Plots.writeTimeline(timeline(), png, "test");
        byte[] b = Files.readAllBytes(png);
        assertTrue(b.length > 100 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', "not a PNG file");
    }

    /** The text of every SVG text element, in document order. */
    private static List<String> texts(String svg) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<text[^>]*>([^<]*)</text>").matcher(svg);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static long count(List<String> texts, String prefix) {
        return texts.stream().filter(t -> t.startsWith(prefix)).count();
    }

    @Test
    void oneNicDrawsOneUnnamedLineAsItAlwaysDid() throws Exception {
        Path svg = dir.resolve("one.svg");
        Plots.writeTimeline(timeline(), svg, "test");
        List<String> t = texts(Files.readString(svg));
        assertEquals(1, count(t, "echo replies from the guest per "), t.toString());
        assertEquals(0, count(t, "vhost-vdpa-"), t.toString());
    }

    @Test
    void severalNicsDrawOneLinePerNicNamedByItsDeviceWithEachNicsMarkers() throws Exception {
        Timeline one = timeline();
        List<Double> later = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            later.add(i * 10.0);
        }
        for (int i = 320; i < 400; i++) {
            later.add(i * 10.0);
        }
        Timeline t = Timeline.ofNics(List.of(new Timeline.Line("vhost-vdpa-0", one.replies()),
                new Timeline.Line("vhost-vdpa-1", Timeline.Replies.of(later, 1.0)),
                new Timeline.Line("vhost-vdpa-2", Timeline.Replies.of(later, 1.0))),
                List.of(new Timeline.Marker(1000, "vhost-vdpa-0 reset #1"), new Timeline.Marker(3000, "boot done"),
                        new Timeline.Marker(3001, "vhost-vdpa-0 DRIVER_OK"),
                        new Timeline.Marker(3010, "vhost-vdpa-0 restored #1"),
                        new Timeline.Marker(1001, "vhost-vdpa-1 reset #1"),
                        new Timeline.Marker(3200, "vhost-vdpa-1 restored #1"),
                        new Timeline.Marker(1002, "vhost-vdpa-2 reset #1"),
                        new Timeline.Marker(3200, "vhost-vdpa-2 restored #1")), 4000);
        assertEquals(List.of(1000.0, 1001.0, 1002.0, 3000.0, 3001.0, 3010.0, 3200.0, 3200.0),
                t.markers().stream().map(Timeline.Marker::timeMs).toList(), "the NICs' markers merged in time order");
        assertSame(one.replies(), t.replies(), "NIC 0's replies are the timeline's");
        Path svg = dir.resolve("nics.svg");
        Plots.writeTimeline(t, svg, "test");
        List<String> texts = texts(Files.readString(svg));
        for (int n = 0; n < 3; n++) {
            assertEquals(1, count(texts, "vhost-vdpa-" + n + ": echo replies per "), "one line per NIC: " + texts);
            assertEquals(1, count(texts, "vhost-vdpa-" + n + " reset #1"), texts.toString());
            assertEquals(1, count(texts, "vhost-vdpa-" + n + " restored #1"), texts.toString());
        }
        assertEquals(0, count(texts, "echo replies from the guest"), texts.toString());
        assertEquals(3, texts.stream().filter(x -> x.contains(": echo replies per ")).count(), texts.toString());
        Path png = dir.resolve("nics.png");
        Plots.writeTimeline(t, png, "test");
        assertTrue(Files.size(png) > 100);
    }

    @Test
    void aTimelineOfOneNicHasNoPerNicLines() {
        Timeline one = timeline();
        assertThrows(IllegalArgumentException.class, () -> new Timeline(one.replies(), one.markers(), 4000,
                List.of(new Timeline.Line("vhost-vdpa-0", one.replies()))));
        assertThrows(IllegalArgumentException.class, () -> Timeline.ofNics(List.of(), one.markers(), 4000));
    }

    @Test
    void writesSweep() throws Exception {
        SweepReport r = new SweepReport(List.of(
                new SweepReport.Point(1L << 30, "6.7", "mlx5", "legacy", 2100.0, 90, 8, 262144, true, 10, null),
                new SweepReport.Point(1L << 40, "6.7", "mlx5", "legacy", 90000.0, 88000, 8, 1L << 28, true, 10, null),
                new SweepReport.Point(1L << 30, "6.7", "mlx5", "persist", 2010.0, 10, 0, 0, true, 10, null),
                new SweepReport.Point(1L << 40, "6.7", "mlx5", "persist", 2010.0, 10, 0, 0, true, 10, null)));
        Path svg = dir.resolve("s.svg");
        Plots.writeSweep(r, svg);
        assertTrue(Files.readString(svg).contains("persist"));
    }

    @Test
    void aPathWithoutFileNameIsAUserErrorNotANullPointer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.checkFormat(Path.of("/")));
        assertTrue(e.getMessage().contains("'/'") && e.getMessage().contains(".svg or .png"), e.getMessage());
    }

    @Test
    void refusesUnknownFormat() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plots.checkFormat(Path.of("x.jpg")));
        assertTrue(e.getMessage().contains(".svg or .png"), e.getMessage());
    }
}
