package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** {@code toyvm matrix}: one cell per kernel × parent × policy (DESIGN §5). */
public record MatrixReport(List<Cell> cells) {
    @JsonPropertyOrder({"kernel", "parent", "policy", "persist_offered", "persist_acked", "restored", "downtime_ms",
        "iotlb_messages_during_reboot", "pages_pinned_during_reboot", "dma_faults", "explanation"})
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
            String explanation) {
    }
}
