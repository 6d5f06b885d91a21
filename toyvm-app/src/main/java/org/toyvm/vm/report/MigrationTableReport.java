package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * {@code toyvm migrate --table}: each published table, row by row, each published cell beside toyvm's
 * figure for the same configuration with the default cost profile, and their ratio.
 */
@JsonPropertyOrder({"cost_profile", "factor", "tables", "cells", "within"})
public record MigrationTableReport(String costProfile, double factor, List<Table> tables, int cells, int within) {
    @JsonPropertyOrder({"id", "title", "source", "assumed", "rows"})
    public record Table(String id, String title, String source, String assumed, List<Row> rows) {
    }

    @JsonPropertyOrder({"label", "memory", "nics", "queue_pairs", "kernel", "qemu", "techniques", "cells", "failure"})
    public record Row(String label, String memory, int nics, int queuePairs, String kernel, String qemu,
            String techniques, List<Cell> cells, String failure) {
    }

    /** {@code toyvmMs} null when the run failed. */
    @JsonPropertyOrder({"measure", "published", "published_low_ms", "published_high_ms", "toyvm_ms", "ratio", "within"})
    public record Cell(String measure, String published, double publishedLowMs, double publishedHighMs, Double toyvmMs,
            Double ratio, boolean within) {
    }
}
