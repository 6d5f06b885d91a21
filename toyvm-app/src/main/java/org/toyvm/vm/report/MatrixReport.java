package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.toyvm.net.vhost.QemuVersion;

/**
 * {@code toyvm matrix}: one cell per QEMU × kernel × parent × policy (docs/DESIGN.md §5). {@code failure} is
 * null unless the cell's run failed inside (then the exit code is 1). {@code explanation} is the
 * cell's reboot told in words from what was observed ({@code RebootStory}).
 */
public record MatrixReport(List<Cell> cells) {
    @JsonPropertyOrder({"kernel", "parent", "policy", "qemu", "persist_offered", "persist_acked", "restored", "downtime_ms",
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
            String failure,
            String qemu) {
        /** A cell on the newest QEMU. */
        public Cell(String kernel, String parent, String policy, boolean persistOffered, boolean persistAcked,
                boolean restored, Double downtimeMs, long iotlbMessagesDuringReboot, long pagesPinnedDuringReboot,
                long dmaFaults, String explanation, String failure) {
            this(kernel, parent, policy, persistOffered, persistAcked, restored, downtimeMs, iotlbMessagesDuringReboot,
                    pagesPinnedDuringReboot, dmaFaults, explanation, failure,
                    QemuVersion.newest().label());
        }
    }

    /** The cells whose run failed inside (an internal error, not a finding): the command exits 1. */
    public List<Cell> failed() {
        return cells.stream().filter(c -> c.failure() != null).toList();
    }
}
