package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.toyvm.net.vhost.QemuVersion;

/**
 * {@code toyvm sweep}: one point per memory size × kernel × parent × policy (docs/DESIGN.md §5).
 * {@code failure} is null unless the point's run failed inside (then the exit code is 1).
 */
public record SweepReport(List<Point> points) {
    @JsonPropertyOrder({"memory_bytes", "kernel", "parent", "policy", "qemu", "downtime_ms", "vcpu_freeze_ms",
        "iotlb_messages_during_reboot", "pages_pinned_during_reboot", "restored", "wall_ms", "failure"})
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
            String qemu) {
        /** A point on the newest QEMU. */
        public Point(long memoryBytes, String kernel, String parent, String policy, Double downtimeMs,
                double vcpuFreezeMs, long iotlbMessagesDuringReboot, long pagesPinnedDuringReboot, boolean restored,
                double wallMs, String failure) {
            this(memoryBytes, kernel, parent, policy, downtimeMs, vcpuFreezeMs, iotlbMessagesDuringReboot,
                    pagesPinnedDuringReboot, restored, wallMs, failure, QemuVersion.newest().label());
        }
    }

    /** The points whose run failed inside (an internal error, not a finding): the command exits 1. */
    public List<Point> failed() {
        return points.stream().filter(p -> p.failure() != null).toList();
    }
}
