package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What one reboot did (DESIGN §5). Counts cover the window from the guest's reset to the return of
 * connectivity (or the end of the run when it did not return). Times are milliseconds.
 *
 * @param downtimeMs from the last echo reply the guest sent to the peer before the reset to the
 *     first it sent after; null when connectivity did not return ({@code restored} false)
 * @param vcpuFreezeMs time the guest's vCPU spent stalled in the VMM (reset and DRIVER_OK handling)
 * @param explanation in words: what happened to the mappings across the reset, and why
 */
@JsonPropertyOrder({"index", "restored", "downtime_ms", "vcpu_freeze_ms", "pings_sent", "pings_lost",
    "guest_pings_sent", "guest_pings_lost", "iotlb_messages", "iotlb", "pages_pinned", "pages_unpinned",
    "dma_faults", "explanation"})
public record RebootResult(
        int index,
        boolean restored,
        Double downtimeMs,
        double vcpuFreezeMs,
        long pingsSent,
        long pingsLost,
        long guestPingsSent,
        long guestPingsLost,
        long iotlbMessages,
        IotlbCounts iotlb,
        long pagesPinned,
        long pagesUnpinned,
        long dmaFaults,
        String explanation) {

    /** IOTLB messages the frontend wrote in the window, by type. */
    @JsonPropertyOrder({"update", "invalidate", "batch_begin", "batch_end"})
    public record IotlbCounts(long update, long invalidate, long batchBegin, long batchEnd) {
        public long total() {
            return update + invalidate + batchBegin + batchEnd;
        }
    }
}
