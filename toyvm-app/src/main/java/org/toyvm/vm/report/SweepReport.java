package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** {@code toyvm sweep}: one point per memory size × policy (DESIGN §5). */
public record SweepReport(List<Point> points) {
    @JsonPropertyOrder({"memory_bytes", "policy", "downtime_ms", "vcpu_freeze_ms", "iotlb_messages_during_reboot",
        "pages_pinned_during_reboot", "restored", "wall_ms"})
    public record Point(
            long memoryBytes,
            String policy,
            Double downtimeMs,
            double vcpuFreezeMs,
            long iotlbMessagesDuringReboot,
            long pagesPinnedDuringReboot,
            boolean restored,
            double wallMs) {
    }
}
