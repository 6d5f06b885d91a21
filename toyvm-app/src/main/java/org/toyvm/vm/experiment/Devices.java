package org.toyvm.vm.experiment;

import java.util.List;
import org.toyvm.core.units.Durations;
import org.toyvm.core.units.Sizes;
import org.toyvm.vm.machine.MapFailureLog;
import org.toyvm.vm.report.DeviceReport;

/** Each vDPA device's part of a run's report, and the sentence for a NIC that never carried traffic. */
final class Devices {
    private Devices() {
    }

    static DeviceReport report(RunConfig cfg, NicLink l) {
        List<MapFailureLog.Failure> failures = l.slot.mapFailures().failures();
        return new DeviceReport(l.index, l.device(), l.addressing.mac().toString(), l.addressing.ip().toString(),
                l.addressing.peerIp().toString(), mapping(cfg), l.connected() ? "ok" : lostConnectivity(l),
                l.pinnedAtEnd, failures.stream().map(MapFailureLog.Failure::describe).toList());
    }

    /** How the parent maps, and whether RLIMIT_MEMLOCK applies to it. */
    static String mapping(RunConfig cfg) {
        return cfg.parent().usesVa(cfg.kernel())
                ? "VA mode (vhost_vdpa_va_map): pins nothing, so RLIMIT_MEMLOCK does not apply to this device"
                : "PA mode (vhost_vdpa_pa_map): pins the guest RAM it maps, counted against the process's"
                        + " RLIMIT_MEMLOCK of " + Sizes.format(cfg.net().memlockLimit(cfg.memoryBytes()))
                        + " shared by every device";
    }

    /** "vhost-vdpa-1 (NIC 1, …) never got connectivity: IOTLB UPDATE … ENOMEM …". */
    static String lostConnectivity(NicLink l) {
        List<MapFailureLog.Failure> failures = l.slot.mapFailures().failures();
        String who = l.device() + " (NIC " + l.index + ", " + l.addressing.describe() + ")";
        if (failures.isEmpty()) {
            return who + " never got an echo reply back within " + Durations.format(l.timeoutNs)
                    + " after the guest came up";
        }
        return who + " lost connectivity: its guest memory is not (all) mapped for the device, "
                + failures.get(0).describe() + (failures.size() == 1 ? ""
                        : " (" + (failures.size() - 1) + " more UPDATE" + (failures.size() == 2 ? "" : "s")
                                + " refused)");
    }
}
