package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What one reboot did to one NIC of a VM with several: when its connectivity came back, the pings its
 * peer and its guest interface lost, and what its own vhost-vdpa device did over the window (from the
 * reboot request to this NIC's return, or the timeout). Times are milliseconds; the moments (reset, back,
 * each pair back) all count from the reboot request, since the guest resets the devices one after the
 * other. The vCPU freeze is the guest's, shared by every NIC ({@link RebootResult#vcpuFreezeMs()}).
 *
 * @param resetAfterMs from the reboot request to this NIC's device's reset (the guest's status 0 reaching
 *     it); null when it did not
 * @param backAfterMs from the reboot request to this NIC's first reply after its device's reset; null
 *     when it did not come back
 * @param downtimeMs as {@link RebootResult#downtimeMs()}, for this NIC's pings alone
 * @param mapFailures the IOTLB UPDATEs of this device the kernel refused in the window, each with why
 * @param queuePairsRestoredMs with several queue pairs, per pair, from the reboot request (as
 *     {@code backAfterMs}, whose value is the last of them) to the peer's first reply on that pair's flow
 *     to a request sent after this device's reset; null for a pair not back; absent with one pair
 */
@JsonPropertyOrder({"nic", "device", "restored", "reset_after_ms", "back_after_ms", "downtime_ms", "pings_sent",
    "pings_lost",
    "guest_pings_sent", "guest_pings_lost", "iotlb_messages", "iotlb", "pages_pinned", "pages_unpinned",
    "dma_faults", "map_failures", "queue_pairs_restored_ms", "explanation"})
public record NicResult(
        int nic,
        String device,
        boolean restored,
        Double resetAfterMs,
        Double backAfterMs,
        Double downtimeMs,
        long pingsSent,
        long pingsLost,
        long guestPingsSent,
        long guestPingsLost,
        long iotlbMessages,
        RebootResult.IotlbCounts iotlb,
        long pagesPinned,
        long pagesUnpinned,
        long dmaFaults,
        List<String> mapFailures,
        String explanation,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Double> queuePairsRestoredMs) {
}
