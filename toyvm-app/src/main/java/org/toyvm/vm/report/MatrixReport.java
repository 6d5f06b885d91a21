package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * {@code toyvm matrix}: one cell per kernel × parent × policy (docs/DESIGN.md §5). {@code failure} is null
 * unless the cell's run failed inside (then the exit code is 1).
 */
public record MatrixReport(List<Cell> cells) {
    @JsonPropertyOrder({"kernel", "parent", "policy", "persist_offered", "persist_acked", "restored", "downtime_ms",
        "iotlb_messages_during_reboot", "pages_pinned_during_reboot", "dma_faults", "explanation", "failure"})
    public record Cell(
            String kernel,
            String parent,
            String policy,
            boolean persistOffered,
            boolean persistAcked,
            boolean restored,
            Double downtimeMs,
            long iotlbMessagesDuringReboot,
            long pagesPinnedDuringReboot,
            long dmaFaults,
            String explanation,
            String failure) {
    }

    /** The cells whose run failed inside (an internal error, not a finding): the command exits 1. */
    public List<Cell> failed() {
        return cells.stream().filter(c -> c.failure() != null).toList();
    }
}
