package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.toyvm.net.vhost.QemuVersion;

/**
 * {@code toyvm matrix}: one cell per QEMU × kernel × parent × policy (docs/DESIGN.md §5). {@code failure} is
 * null unless the cell's run failed inside (then the exit code is 1). {@code explanation} is the
 * cell's reboot told in words from what was observed ({@code RebootStory}). {@code memoryBackend},
 * {@code nics} and {@code queuePairs} name the cell's machine shape when the command was given that axis
 * ({@code ShapeAxes}); null (and absent from the JSON) otherwise, so the default matrix reads as before.
 * A cell of several queue pairs on one NIC has each pair's return ({@code queuePairsRestoredMs}), a cell
 * of several NICs each NIC's part of the reboot ({@code nicResults}, each with its own pairs' returns):
 * the reboot's own {@link RebootResult#queuePairsRestoredMs()} and {@link RebootResult#nics()}, null
 * (absent) otherwise.
 */
public record MatrixReport(List<Cell> cells) {
    @JsonPropertyOrder({"kernel", "parent", "policy", "qemu", "memory_backend", "nics", "queue_pairs", "persist_offered", "persist_acked", "restored", "downtime_ms",
        "iotlb_messages_during_reboot", "pages_pinned_during_reboot", "dma_faults",
        "queue_pairs_restored_ms", "explanation", "failure", "nic_results"})
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
            String qemu,
            @JsonInclude(JsonInclude.Include.NON_NULL) String memoryBackend,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer nics,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer queuePairs,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Double> queuePairsRestoredMs,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<NicResult> nicResults) {
        /** A cell without per-pair or per-NIC details (one NIC of one queue pair, or no reboot measured). */
        public Cell(String kernel, String parent, String policy, boolean persistOffered, boolean persistAcked,
                boolean restored, Double downtimeMs, long iotlbMessagesDuringReboot, long pagesPinnedDuringReboot,
                long dmaFaults, String explanation, String failure, String qemu, String memoryBackend, Integer nics,
                Integer queuePairs) {
            this(kernel, parent, policy, persistOffered, persistAcked, restored, downtimeMs, iotlbMessagesDuringReboot,
                    pagesPinnedDuringReboot, dmaFaults, explanation, failure, qemu, memoryBackend, nics, queuePairs,
                    null, null);
        }

        /** A cell whose machine shape is not named (one NIC, one queue pair, the default backend). */
        public Cell(String kernel, String parent, String policy, boolean persistOffered, boolean persistAcked,
                boolean restored, Double downtimeMs, long iotlbMessagesDuringReboot, long pagesPinnedDuringReboot,
                long dmaFaults, String explanation, String failure, String qemu) {
            this(kernel, parent, policy, persistOffered, persistAcked, restored, downtimeMs, iotlbMessagesDuringReboot,
                    pagesPinnedDuringReboot, dmaFaults, explanation, failure, qemu, null, null, null, null, null);
        }

        /** A cell on the newest QEMU. */
        public Cell(String kernel, String parent, String policy, boolean persistOffered, boolean persistAcked,
                boolean restored, Double downtimeMs, long iotlbMessagesDuringReboot, long pagesPinnedDuringReboot,
                long dmaFaults, String explanation, String failure) {
            this(kernel, parent, policy, persistOffered, persistAcked, restored, downtimeMs, iotlbMessagesDuringReboot,
                    pagesPinnedDuringReboot, dmaFaults, explanation, failure,
                    QemuVersion.newest().label());
        }

        /** "9.0/6.7/mlx5/legacy", then the machine shape's named axes ("/hugetlb-1G/nics=2/queues=4"). */
        public String name() {
            return qemu + "/" + kernel + "/" + parent + "/" + policy + shape();
        }

        /** The named machine-shape axes, "/hugetlb-1G/nics=2/queues=4"; "" when none was given. */
        public String shape() {
            return ShapeLabel.suffix(memoryBackend, nics, queuePairs);
        }
    }

    /** The cells whose run failed inside (an internal error, not a finding): the command exits 1. */
    public List<Cell> failed() {
        return cells.stream().filter(c -> c.failure() != null).toList();
    }
}
