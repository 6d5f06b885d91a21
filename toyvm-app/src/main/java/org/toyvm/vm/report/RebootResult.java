package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What one reboot did (docs/DESIGN.md §5). Counts cover the window from the guest's reset to the return of
 * connectivity (or the end of the run when it did not return). Times are milliseconds.
 *
 * @param restored connectivity came back within the timeout: the peer received an echo reply to a
 *     request it sent after the reset reached the device (a live run with an outside peer: the guest
 *     answered a request it received after that reset)
 * @param downtimeMs from the last echo reply before the reset to that first reply after it (from the
 *     reset itself when connectivity was already down, the previous reboot not restored); null when
 *     connectivity did not return ({@code restored} false)
 * @param pingsSent the peer's echo requests sent in the window; null only in a live run with an
 *     outside peer when connectivity did not return (the VMM then sees no sequence number to count by)
 * @param pingsLost those of {@code pingsSent} that never got a reply (replies still in flight at the
 *     end of the window count as received); null when {@code pingsSent} is
 * @param vcpuFreezeMs time the guest's vCPU spent stalled in the VMM (reset and DRIVER_OK handling)
 * @param explanation in words: what happened to the mappings across the reset, and why
 * @param queuePairsRestoredMs with more than one queue pair and one NIC: per pair, from the reset to the
 *     peer's first reply on that pair's flow to a request sent after the reset (null for a pair that did
 *     not come back); the reboot is restored when the last pair is. Absent (null) with one pair, and
 *     with several NICs (each NIC's part has its own)
 * @param nics with several NICs, each NIC's part (the counts above are their sums, the downtime the one
 *     of the NIC that came back last); null with one NIC
 */
@JsonPropertyOrder({"index", "restored", "downtime_ms", "queue_pairs_restored_ms", "vcpu_freeze_ms", "pings_sent", "pings_lost",
    "guest_pings_sent", "guest_pings_lost", "iotlb_messages", "iotlb", "pages_pinned", "pages_unpinned",
    "dma_faults", "explanation", "nics"})
public record RebootResult(
        int index,
        boolean restored,
        Double downtimeMs,
        double vcpuFreezeMs,
        Long pingsSent,
        Long pingsLost,
        long guestPingsSent,
        long guestPingsLost,
        long iotlbMessages,
        IotlbCounts iotlb,
        long pagesPinned,
        long pagesUnpinned,
        long dmaFaults,
        String explanation,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Double> queuePairsRestoredMs,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<NicResult> nics) {

    /** A reboot of a VM with one NIC of one queue pair. */
    public RebootResult(int index, boolean restored, Double downtimeMs, double vcpuFreezeMs, Long pingsSent,
            Long pingsLost, long guestPingsSent, long guestPingsLost, long iotlbMessages, IotlbCounts iotlb,
            long pagesPinned, long pagesUnpinned, long dmaFaults, String explanation) {
        this(index, restored, downtimeMs, vcpuFreezeMs, pingsSent, pingsLost, guestPingsSent, guestPingsLost,
                iotlbMessages, iotlb, pagesPinned, pagesUnpinned, dmaFaults, explanation, null, null);
    }

    /**
     * IOTLB messages the frontend wrote in the window, by type (every address space).
     *
     * @param asid1 of {@code update} and {@code invalidate}, those in address space 1: the shadowed CVQ's
     *     bounce buffers and shadow ring (the rest are guest memory, ASID 0); null (absent) when none
     */
    @JsonPropertyOrder({"update", "invalidate", "batch_begin", "batch_end", "asid1"})
    public record IotlbCounts(long update, long invalidate, long batchBegin, long batchEnd,
            @JsonInclude(JsonInclude.Include.NON_NULL) AsidCounts asid1) {
        /** Counts with no message in ASID 1. */
        public IotlbCounts(long update, long invalidate, long batchBegin, long batchEnd) {
            this(update, invalidate, batchBegin, batchEnd, null);
        }

        public long total() {
            return update + invalidate + batchBegin + batchEnd;
        }
    }

    /** One address space's UPDATE and INVALIDATE messages. */
    public record AsidCounts(long update, long invalidate) {
    }
}
