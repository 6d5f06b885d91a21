package org.toyvm.vm.experiment;

import java.util.Locale;
import org.toyvm.net.vhost.FrontendCounters;
import org.toyvm.net.vhost.VhostVdpaNet;

/**
 * The VM start in words, from the frontend's counters at two instants — before the guest first
 * touched the device and when its first DRIVER_OK had been handled: when guest RAM was first mapped and what
 * became of that mapping before the guest's datapath started. QEMU 10.1+ maps at SET_OWNER (the VM
 * start pays it), and the guest's first status-0 write — in QEMU the machine reset at start-up
 * already — unmaps it again unless the policy keeps it; 9.x maps at the first DRIVER_OK. Only guest
 * memory (ASID 0) is counted as such; a shadowed CVQ's mappings in ASID 1 are told apart.
 */
record StartStory(RunConfig cfg, FrontendCounters atInit, FrontendCounters atFirstStart) {

    static StartStory of(RunConfig cfg, VhostVdpaNet frontend) {
        return new StartStory(cfg, frontend.countersBeforeGuest(), frontend.countersAtFirstStart());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    String explain() {
        StringBuilder sb = new StringBuilder("QEMU " + cfg.qemu() + ", " + cfg.policy() + ": ");
        if (atInit.guestUpdate() > 0) {
            sb.append("mapped ").append(mib(atInit.guestBytesMapped())).append(" of guest memory at SET_OWNER, before"
                    + " the guest ran (").append(atInit.guestUpdate()).append(" UPDATE): the VM start paid the mapping");
            if (atFirstStart == null) {
                return sb.append("; the guest never reached DRIVER_OK").toString();
            }
            FrontendCounters boot = atFirstStart.minus(atInit);
            if (boot.guestInvalidate() > 0) {
                sb.append("; the guest's first status 0 (its probe; in QEMU the machine reset at start-up already)"
                        + " unmapped it (").append(boot.guestInvalidate()).append(" INVALIDATE)");
            }
            if (boot.guestUpdate() > 0) {
                sb.append(boot.guestInvalidate() > 0 ? " and" : ";").append(" its first DRIVER_OK mapped it again (")
                        .append(boot.guestUpdate()).append(" UPDATE, ").append(mib(boot.guestBytesMapped())).append(')');
            } else {
                sb.append("; the VMM kept it registered through the guest's first status 0 (the policy keeps"
                        + " mappings) and its first DRIVER_OK sent no IOTLB message")
                        .append(boot.cvqUpdate() > 0 ? " for guest memory" : "");
            }
            return sb.append(shadowCvq(boot)).toString();
        }
        if (atFirstStart == null) {
            return sb.append("nothing mapped: the guest never reached DRIVER_OK").toString();
        }
        FrontendCounters boot = atFirstStart.minus(atInit);
        return sb.append("mapped ").append(mib(boot.guestBytesMapped())).append(" of guest memory at the guest's first"
                + " DRIVER_OK (").append(boot.guestUpdate()).append(" UPDATE)").append(shadowCvq(boot)).toString();
    }

    /** The shadowed CVQ's own mappings in ASID 1 at the first start (vhost_vdpa_net_cvq_start, vhost_vdpa_svqs_start), if any. */
    private static String shadowCvq(FrontendCounters boot) {
        return boot.cvqUpdate() == 0 ? "" : "; the shadowed CVQ's 2 bounce buffers and shadow ring were mapped in ASID 1"
                + " at that start (" + boot.cvqUpdate() + " UPDATE, " + (boot.bytesMapped() - boot.guestBytesMapped()) / 1024
                + " KiB)";
    }
}
