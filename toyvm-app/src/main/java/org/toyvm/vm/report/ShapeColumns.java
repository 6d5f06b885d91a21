package org.toyvm.vm.report;

import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The machine-shape columns of the matrix and sweep tables (backend, nics, queues): a column is there
 * only when some row names its axis, so a table without those axes is what it was before them. Each
 * present column is followed by one space; the strings returned are literal text for a format.
 */
record ShapeColumns(int backendWidth, boolean nics, boolean queues) {
    static ShapeColumns of(Stream<String> backends, Stream<Integer> nics, Stream<Integer> queues) {
        int bw = backends.filter(Objects::nonNull).mapToInt(String::length).max().orElse(-1);
        return new ShapeColumns(bw < 0 ? 0 : Math.max(bw, "backend".length()), nics.anyMatch(Objects::nonNull),
                queues.anyMatch(Objects::nonNull));
    }

    String header() {
        return row("backend", "nics", "queues");
    }

    String row(String backend, Integer n, Integer q) {
        return row(backend, n == null ? "" : n.toString(), q == null ? "" : q.toString());
    }

    private String row(String backend, String n, String q) {
        StringBuilder sb = new StringBuilder();
        if (backendWidth > 0) {
            sb.append(String.format(Locale.ROOT, "%-" + backendWidth + "s ", backend == null ? "" : backend));
        }
        if (nics) {
            sb.append(String.format(Locale.ROOT, "%4s ", n));
        }
        if (queues) {
            sb.append(String.format(Locale.ROOT, "%6s ", q));
        }
        return sb.toString().replace("%", "%%");
    }
}
