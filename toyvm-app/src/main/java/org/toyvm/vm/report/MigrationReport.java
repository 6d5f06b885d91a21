package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The report of {@code toyvm migrate} (docs/DESIGN.md §5): the configuration, the RAM transfer, every
 * stage on either host with its cost, IOTLB traffic and pins, each NIC's part, the downtimes the
 * published tables report, and a summary. Times are ms on the run's virtual clock (0 = the source
 * VM's start).
 */
@JsonPropertyOrder({"config", "ram", "stages", "nics", "downtimes", "summary"})
public record MigrationReport(Map<String, Object> config, Ram ram, List<Stage> stages, List<Nic> nics,
        Downtimes downtimes, Summary summary) {

    /** The pre-copy rounds and the stop-and-copy's share of RAM. */
    @JsonPropertyOrder({"converged", "rounds", "precopy_ms", "precopy_bytes", "stop_copy_bytes", "stop_copy_ms"})
    public record Ram(boolean converged, List<Round> rounds, double precopyMs, long precopyBytes, long stopCopyBytes,
            double stopCopyMs) {
    }

    @JsonPropertyOrder({"index", "bytes", "ms"})
    public record Round(int index, long bytes, double ms) {
    }

    /**
     * One stage on one host, for one device or for the whole VM ({@code device} null): when it ran, what
     * it cost the host (the VMM's main loop is busy that long), the IOTLB messages its frontend wrote,
     * the pages its kernel pinned and unpinned, and the largest cost kinds in it.
     */
    @JsonPropertyOrder({"stage", "host", "device", "start_ms", "end_ms", "cost_ms", "iotlb", "pages_pinned",
            "pages_unpinned", "costs_ms", "error"})
    public record Stage(String stage, String host, String device, double startMs, double endMs, double costMs,
            @JsonInclude(JsonInclude.Include.NON_NULL) Iotlb iotlb, long pagesPinned, long pagesUnpinned,
            Map<String, Double> costsMs, @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
    }

    /** IOTLB messages, by address space: 0 is guest RAM (or the shadow rings without descriptor ASID). */
    @JsonPropertyOrder({"update", "invalidate", "batch_begin", "batch_end", "asid0_update", "asid0_invalidate",
            "other_asid_update", "other_asid_invalidate"})
    public record Iotlb(long update, long invalidate, long batchBegin, long batchEnd, long asid0Update,
            long asid0Invalidate, long otherAsidUpdate, long otherAsidInvalidate) {
        public long total() {
            return update + invalidate + batchBegin + batchEnd;
        }
    }

    /**
     * One NIC: its switch to shadow virtqueues (cost, and the loss its peer saw), its teardown on the
     * source and setup on the destination, and the loss its peer saw across the switchover.
     */
    @JsonPropertyOrder({"device", "switch_ms", "switch_downtime_ms", "switch_pings_sent", "switch_pings_lost",
            "source_stop_ms", "destination_start_ms", "switchover_downtime_ms", "switchover_pings_sent",
            "switchover_pings_lost"})
    public record Nic(String device, double switchMs, Double switchDowntimeMs, long switchPingsSent,
            long switchPingsLost, double sourceStopMs, double destinationStartMs, Double switchoverDowntimeMs,
            long switchoverPingsSent, long switchoverPingsLost) {
    }

    /**
     * The intervals the published tables report ({@code toyvm migrate --table}), and what the guest saw:
     * the largest loss window its peers measured at each of the two disruptions, and the time its vCPUs
     * were paused.
     */
    @JsonPropertyOrder({"switch_worst_device_ms", "stop_copy_sum_ms", "last_suspend_to_last_enable_ms",
            "switch_peer_downtime_ms", "switchover_peer_downtime_ms", "vcpu_paused_ms"})
    public record Downtimes(double switchWorstDeviceMs, double stopCopySumMs, double lastSuspendToLastEnableMs,
            Double switchPeerDowntimeMs, Double switchoverPeerDowntimeMs, double vcpuPausedMs) {
    }

    /**
     * {@code failure} is null unless the migration or the guest's connectivity failed (exit code 1).
     * {@code peerQuietMs}: peer time whose pings were not simulated, in stretches where nothing they
     * could do changes the run (docs/DESIGN.md "One migration through the code").
     */
    @JsonPropertyOrder({"completed", "pings_sent", "pings_lost", "run_ms", "peer_quiet_ms", "failure", "why"})
    public record Summary(boolean completed, long pingsSent, long pingsLost, double runMs, double peerQuietMs,
            @JsonInclude(JsonInclude.Include.NON_NULL) String failure, String why) {
    }
}
