package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.toyvm.net.vhost.QemuVersion;

/**
 * {@code toyvm sweep}: one point per memory size × kernel × parent × policy (docs/DESIGN.md §5).
 * {@code failure} is null unless the point's run failed inside (then the exit code is 1).
 * {@code memoryBackend}, {@code nics} and {@code queuePairs} name the point's machine shape when the
 * command was given that axis; null (and absent from the JSON) otherwise. As a matrix cell, a point of
 * several queue pairs on one NIC has each pair's return ({@code queuePairsRestoredMs}) and a point of
 * several NICs each NIC's part ({@code nicResults}); null (absent) otherwise.
 */
public record SweepReport(List<Point> points) {
    @JsonPropertyOrder({"memory_bytes", "kernel", "parent", "policy", "qemu", "memory_backend", "nics", "queue_pairs", "downtime_ms", "vcpu_freeze_ms",
        "iotlb_messages_during_reboot", "pages_pinned_during_reboot", "restored", "queue_pairs_restored_ms", "wall_ms",
        "failure", "nic_results"})
    public record Point(
            long memoryBytes,
            String kernel,
            String parent,
            String policy,
            Double downtimeMs,
            double vcpuFreezeMs,
            long iotlbMessagesDuringReboot,
            long pagesPinnedDuringReboot,
            boolean restored,
            double wallMs,
            String failure,
            String qemu,
            @JsonInclude(JsonInclude.Include.NON_NULL) String memoryBackend,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer nics,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer queuePairs,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Double> queuePairsRestoredMs,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<NicResult> nicResults) {
        /** A point without per-pair or per-NIC details (one NIC of one queue pair, or no reboot measured). */
        public Point(long memoryBytes, String kernel, String parent, String policy, Double downtimeMs,
                double vcpuFreezeMs, long iotlbMessagesDuringReboot, long pagesPinnedDuringReboot, boolean restored,
                double wallMs, String failure, String qemu, String memoryBackend, Integer nics, Integer queuePairs) {
            this(memoryBytes, kernel, parent, policy, downtimeMs, vcpuFreezeMs, iotlbMessagesDuringReboot,
                    pagesPinnedDuringReboot, restored, wallMs, failure, qemu, memoryBackend, nics, queuePairs, null,
                    null);
        }

        /** A point whose machine shape is not named (one NIC, one queue pair, the default backend). */
        public Point(long memoryBytes, String kernel, String parent, String policy, Double downtimeMs,
                double vcpuFreezeMs, long iotlbMessagesDuringReboot, long pagesPinnedDuringReboot, boolean restored,
                double wallMs, String failure, String qemu) {
            this(memoryBytes, kernel, parent, policy, downtimeMs, vcpuFreezeMs, iotlbMessagesDuringReboot,
                    pagesPinnedDuringReboot, restored, wallMs, failure, qemu, null, null, null, null, null);
        }

        /** A point on the newest QEMU. */
        public Point(long memoryBytes, String kernel, String parent, String policy, Double downtimeMs,
                double vcpuFreezeMs, long iotlbMessagesDuringReboot, long pagesPinnedDuringReboot, boolean restored,
                double wallMs, String failure) {
            this(memoryBytes, kernel, parent, policy, downtimeMs, vcpuFreezeMs, iotlbMessagesDuringReboot,
                    pagesPinnedDuringReboot, restored, wallMs, failure, QemuVersion.newest().label());
        }

        /** "1G/6.12/mlx5/legacy", then the machine shape's named axes ("/hugetlb-1G/nics=2/queues=4"). */
        public String name() {
            return org.toyvm.core.units.Sizes.format(memoryBytes) + "/" + kernel + "/" + parent + "/" + policy
                    + shape();
        }

        /** The named machine-shape axes, "/hugetlb-1G/nics=2/queues=4"; "" when none was given. */
        public String shape() {
            return ShapeLabel.suffix(memoryBackend, nics, queuePairs);
        }
    }

    /** The points whose run failed inside (an internal error, not a finding): the command exits 1. */
    public List<Point> failed() {
        return points.stream().filter(p -> p.failure() != null).toList();
    }
}
