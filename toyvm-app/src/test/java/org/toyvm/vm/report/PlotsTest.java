package org.toyvm.vm.report;

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
