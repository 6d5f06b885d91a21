package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.toyvm.core.units.Durations;
import org.toyvm.net.vhost.FrontendCounters;

/**
 * The explanation of one reboot, in words, built only from what was observed in its window: what
 * the VMM's frontend did to the device at the reset, led by its QEMU release and policy (SUSPEND or a
 * reset in its place, ring bases read or skipped, ACK|DRIVER again, 9.2's second reset), the
 * reset reaching the device, the kernel's reset flavour, the parent's mappings at boot done, the
 * frontend's IOTLB messages (per address space when the CVQ is shadowed in ASID 1), DRIVER_OK, DMA
 * faults, and the return (or not) of connectivity. A step that was not observed is never claimed.
 *
 * @param mappingsAfterReset "kept", "1:1" or "gone" as seen when the guest's boot finished; null
 *     when the boot did not finish in the window
 * @param connectivityDownAtReset no reply since the previous reboot's reset (it was not restored),
 *     so the downtime counts from this reset
 * @param vcpuStillStalled at the end of the window the guest's vCPU was still stalled in the VMM
 */
record RebootStory(
        RunConfig cfg,
        boolean persistAcked,
        boolean resetReachedDevice,
        boolean cleanMap,
        String mappingsAfterReset,
        boolean bootDone,
        boolean driverOk,
        String probeFailure,
        FrontendCounters iotlb,
        long pagesPinned,
        long dmaFaults,
        boolean restored,
        Double downtimeMs,
        boolean connectivityDownAtReset,
        int index,
        boolean vcpuStillStalled) {

    String explain() {
        List<String> parts = new ArrayList<>();
        parts.add(vmmAtReset());
        if (!resetReachedDevice) {
            parts.add("the guest's reset (status 0) did not reach the device within " + Durations.format(cfg.timeoutNs())
                    + " (its vCPU was still stalled in the VMM)");
        } else {
            // Before 6.7 there is no CLEAN_MAP flag: the parent's plain .reset drops its own map.
            String reset = "kernel " + cfg.kernel() + " reset the " + cfg.parent() + " parent "
                    + (cleanMap ? "with CLEAN_MAP" : !cfg.kernel().hasIotlbPersist()
                            ? "(a plain reset: before 6.7 it drops any map of the parent's own)"
                            : "without cleaning the map");
            if (mappingsAfterReset != null) {
                reset += "; the parent's mappings after reset: " + switch (mappingsAfterReset) {
                    case "kept" -> "kept";
                    case "1:1" -> "dropped (1:1 map in their place)";
                    default -> "none";
                };
            }
            parts.add(reset);
        }
        if (iotlb.total() == 0) {
            if (resetReachedDevice) {
                parts.add(persistAcked ? "mappings kept by userspace: IOTLB_PERSIST acked, no IOTLB messages"
                        : "userspace (" + cfg.policy() + ") sent no IOTLB messages (IOTLB_PERSIST not acked)");
            }
        } else if (iotlb.cvqUpdate() + iotlb.cvqInvalidate() == 0) {
            List<String> did = new ArrayList<>();
            if (iotlb.invalidate() > 0) {
                did.add("unmapped at reset (" + iotlb.invalidate() + " INVALIDATE)");
            }
            if (iotlb.update() > 0) {
                did.add((driverOk ? "mapped again at DRIVER_OK (" : "mapped (") + iotlb.update() + " UPDATE, "
                        + pagesPinned + " pages pinned)");
            }
            parts.add("userspace (" + cfg.policy() + ") " + (did.isEmpty() ? "sent " + iotlb.total()
                    + " IOTLB batch messages" : String.join(" and ", did)));
        } else {
            parts.addAll(byAddressSpace());
        }
        if (resetReachedDevice && !driverOk) {
            if (vcpuStillStalled) {
                parts.add("the guest's vCPU was still stalled in the VMM at the end of the window (the modelled"
                        + " cost of handling its register writes outlasts the timeout)");
            } else if (probeFailure != null) {
                parts.add("the guest's probe failed: " + probeFailure);
            } else if (!bootDone) {
                parts.add("the guest's boot (" + Durations.format(cfg.bootNs()) + ") did not finish within "
                        + Durations.format(cfg.timeoutNs()));
            } else {
                parts.add("the guest did not reach DRIVER_OK within " + Durations.format(cfg.timeoutNs()));
            }
        }
        if (restored) {
            parts.add(String.format(Locale.ROOT, "connectivity back after %.1f ms", downtimeMs)
                    + (connectivityDownAtReset ? " (counted from this reset: connectivity had not returned since reboot "
                    + (index - 1) + ")" : ""));
        } else {
            String faults = "";
            if (dmaFaults > 0) {
                faults = "DMA faults after reset (" + dmaFaults + ")"
                        + (("gone".equals(mappingsAfterReset) || "1:1".equals(mappingsAfterReset))
                        && iotlb.guestUpdate() == 0
                        ? ": the parent dropped its mappings and userspace did not map them again" : "") + "; ";
            }
            parts.add(faults + "connectivity not restored within " + Durations.format(cfg.timeoutNs()));
        }
        return String.join("; ", parts);
    }

    /**
     * The IOTLB messages told per address space, when the CVQ is shadowed: guest memory in ASID 0 (kept
     * or unmapped and mapped again, by the policy) apart from the shadowed CVQ's two bounce buffers and
     * shadow ring in ASID 1, which QEMU unmaps at every stop (vhost_vdpa_svqs_stop, vhost_vdpa_net_cvq_stop)
     * and maps again at every start (vhost_vdpa_net_cvq_start, vhost_vdpa_svqs_start) whatever the policy.
     * The pinned pages are the kernel's count for the device, not split by address space: they go with
     * the CVQ's messages when guest memory sent none, else they are said as a total.
     */
    private List<String> byAddressSpace() {
        boolean ramMessages = iotlb.guestUpdate() + iotlb.guestInvalidate() > 0;
        String ram;
        if (!ramMessages) {
            ram = persistAcked ? "guest memory kept by userspace: IOTLB_PERSIST acked, no IOTLB message in ASID 0"
                    : "userspace (" + cfg.policy() + ") sent no IOTLB message for guest memory (ASID 0)";
        } else {
            List<String> did = new ArrayList<>();
            if (iotlb.guestInvalidate() > 0) {
                did.add("unmapped guest memory at reset (" + iotlb.guestInvalidate() + " INVALIDATE)");
            }
            if (iotlb.guestUpdate() > 0) {
                did.add((iotlb.guestInvalidate() > 0 ? "mapped it again" : "mapped guest memory")
                        + (driverOk ? " at DRIVER_OK (" : " (") + iotlb.guestUpdate() + " UPDATE)");
            }
            ram = "userspace (" + cfg.policy() + ") " + String.join(" and ", did);
        }
        List<String> did = new ArrayList<>();
        if (iotlb.cvqInvalidate() > 0) {
            did.add("unmapped at the reset (" + iotlb.cvqInvalidate() + " INVALIDATE)");
        }
        if (iotlb.cvqUpdate() > 0) {
            did.add("mapped again at the next start (" + iotlb.cvqUpdate() + " UPDATE"
                    + (ramMessages ? ")" : ", " + pagesPinned + " pages pinned)"));
        }
        String cvq = "the shadowed CVQ's 2 bounce buffers and shadow ring in ASID 1: " + String.join(" and ", did);
        return ramMessages ? List.of(ram, cvq, pagesPinned + " pages pinned in all") : List.of(ram, cvq);
    }

    /**
     * What the VMM's vhost-vdpa frontend did to the device at the guest's reset, from the steps it
     * counted (FrontendCounters), led by the QEMU release and policy whose order it followed.
     */
    private String vmmAtReset() {
        FrontendCounters f = iotlb;
        List<String> did = new ArrayList<>();
        if (f.suspends() > 0) {
            did.add("suspended the device and read " + f.vringBasesRead() + " ring bases");
        }
        if (f.fallbackResets() > 0) {
            did.add("could not suspend (SUSPEND not acked) and reset the device instead");
        }
        if (f.ringRestoreFailed() > 0) {
            did.add("skipped GET_VRING_BASE of " + f.ringRestoreFailed() + " queues (device not marked suspended:"
                    + " \"ring restore failed\", the used index taken)");
        }
        if (f.readyAfterReset() > 0) {
            did.add("reset it and set ACK|DRIVER again");
        }
        if (f.virtioResets() > 0) {
            did.add("then virtio_reset reset it again after the stop and at each later status-0 write of the guest ("
                    + f.virtioResets() + "x; " + f.deviceResets() + " SET_STATUS 0 in the reboot): the device waited"
                    + " at status 0, not ACK|DRIVER");
        }
        return "QEMU " + cfg.qemu() + ", " + cfg.policy() + ": at the reset the VMM "
                + (did.isEmpty() ? "did nothing to the device" : String.join(", ", did));
    }
}
