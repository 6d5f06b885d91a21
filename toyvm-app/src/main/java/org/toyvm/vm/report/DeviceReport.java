package org.toyvm.vm.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One vDPA NIC of the run as configured and as it ended: its device, addresses, how its parent maps
 * (PA mode pins guest RAM against the process's RLIMIT_MEMLOCK; VA mode pins nothing and the limit does
 * not apply), whether it ever carried traffic, and every IOTLB UPDATE of it the kernel refused.
 *
 * @param connectivity "ok" when the peer got a reply through it, else why not in a sentence
 * @param pagesPinnedAtEnd the pages this device held pinned when the last reboot was over
 */
@JsonPropertyOrder({"nic", "device", "mac", "ip", "peer_ip", "mapping", "connectivity", "pages_pinned_at_end",
    "map_failures"})
public record DeviceReport(
        int nic,
        String device,
        String mac,
        String ip,
        String peerIp,
        String mapping,
        String connectivity,
        long pagesPinnedAtEnd,
        List<String> mapFailures) {
}
