package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.toyvm.net.vhost.FrontendCounters;
import org.toyvm.net.vhost.VhostVdpaNet;
import org.toyvm.vm.machine.NetSlot;

/**
 * The VM start in words, from the frontend's counters at two instants — before the guest first
 * touched the device and when its first DRIVER_OK had been handled: when guest RAM was first mapped and what
 * became of that mapping before the guest's datapath started. QEMU 10.1+ maps at SET_OWNER (the VM
 * start pays it), and the guest's first status-0 write — in QEMU the machine reset at start-up
 * already — unmaps it again unless the policy keeps it; 9.x maps at the first DRIVER_OK. Only guest
 * memory (ASID 0) is counted as such; a shadowed CVQ's mappings in ASID 1 are told apart. A VM of several
 * NICs has one frontend per device: the sentence names them (once when they all started alike).
 */
record StartStory(RunConfig cfg, FrontendCounters atInit, FrontendCounters atFirstStart) {

    static StartStory of(RunConfig cfg, VhostVdpaNet frontend) {
        return new StartStory(cfg, frontend.countersBeforeGuest(), frontend.countersAtFirstStart());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    /**
     * The VM start of a run's NICs: with one, its sentence; with several, the sentence once when every
     * device's start reads alike (its figures are then each device's), else each device's in turn.
     */
    static String explain(RunConfig cfg, List<NetSlot> slots) {
        if (slots.size() == 1) {
            return of(cfg, slots.get(0).frontend()).explain();
        }
        return explain(cfg, slots.stream().map(NetSlot::name).toList(),
                slots.stream().map(sl -> of(cfg, sl.frontend()).body()).toList());
    }

    /** Several devices' starts, {@code bodies} each one's sentence after the lead, in device order. */
    static String explain(RunConfig cfg, List<String> devices, List<String> bodies) {
        String lead = "QEMU " + cfg.qemu() + ", " + cfg.policy() + ": ";
        if (bodies.stream().distinct().count() == 1) {
            return lead + "each of the " + devices.size() + " vDPA NICs alike (" + String.join(", ", devices) + "): "
                    + bodies.get(0);
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            parts.add(devices.get(i) + ": " + bodies.get(i));
        }
        return lead + String.join("; ", parts);
    }

    String explain() {
        return "QEMU " + cfg.qemu() + ", " + cfg.policy() + ": " + body();
    }

    /** The sentence after its "QEMU x, policy: " lead. */
    private String body() {
        StringBuilder sb = new StringBuilder();
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
