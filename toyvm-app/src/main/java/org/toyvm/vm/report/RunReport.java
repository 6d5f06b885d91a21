package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The report of {@code toyvm run} (docs/DESIGN.md §5): the configuration with every option, the backend
 * features offered and acked, the VM start in a sentence, with several NICs (or a device that failed to
 * map) each vDPA device's part, one entry per reboot, and a summary.
 */
@JsonPropertyOrder({"config", "backend_features", "vm_start", "devices", "reboots", "summary"})
public record RunReport(
        Map<String, Object> config,
        BackendFeatures backendFeatures,
        List<RebootResult> reboots,
        Summary summary,
        String vmStart,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<DeviceReport> devices) {

    /** A report without the per-device part (one NIC whose mappings all succeeded). */
    public RunReport(Map<String, Object> config, BackendFeatures backendFeatures, List<RebootResult> reboots,
            Summary summary, String vmStart) {
        this(config, backendFeatures, reboots, summary, vmStart, null);
    }

    /** The same report with each vDPA device's part. */
    public RunReport withDevices(List<DeviceReport> list) {
        return new RunReport(config, backendFeatures, reboots, summary, vmStart, list);
    }

    /**
     * A report without the VM start's sentence. {@code vmStart} says when the frontend first mapped guest
     * memory and what became of that mapping before the first DRIVER_OK (its QEMU release decides).
     */
    public RunReport(Map<String, Object> config, BackendFeatures backendFeatures, List<RebootResult> reboots,
            Summary summary) {
        this(config, backendFeatures, reboots, summary, null);
    }

    /** The same report with the VM start's sentence. */
    public RunReport withVmStart(String sentence) {
        return new RunReport(config, backendFeatures, reboots, summary, sentence, devices);
    }

    /** Backend feature names without the VHOST_BACKEND_F_ prefix. */
    @JsonPropertyOrder({"offered", "acked"})
    public record BackendFeatures(List<String> offered, List<String> acked) {
    }

    /**
     * Totals over the run. {@code failure} is null unless something failed inside the run (the exit
     * code is then 1).
     */
    @JsonPropertyOrder({"reboots", "restored", "max_downtime_ms", "mean_downtime_ms", "max_vcpu_freeze_ms",
        "pings_sent", "pings_lost", "guest_pings_sent", "guest_pings_lost", "dma_faults", "run_time_ms",
        "failure"})
    public record Summary(
            int reboots,
            int restored,
            Double maxDowntimeMs,
            Double meanDowntimeMs,
            double maxVcpuFreezeMs,
            long pingsSent,
            long pingsLost,
            long guestPingsSent,
            long guestPingsLost,
            long dmaFaults,
            double runTimeMs,
            String failure) {
    }
}
