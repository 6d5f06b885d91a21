package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.net.vhost.FrontendCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vm.machine.NetSlot;
import org.toyvm.vm.report.MigrationReport;

/**
 * What one stage of a migration cost a host, taken as differences across it: the host's cost meter
 * (in total and by kind), and for one device its frontend's IOTLB messages and its kernel's pins.
 */
final class StageMeter {
    private final CostMeter meter;
    private final NetSlot slot;
    private final long total0;
    private final long[] byKind0 = new long[CostKind.values().length];
    private final FrontendCounters counters0;
    private final long pinned0;
    private final long unpinned0;

    /** Starts measuring {@code slot}'s device on its host's {@code meter} ({@code slot} null: the host only). */
    StageMeter(CostMeter meter, NetSlot slot) {
        this(meter, slot, false);
    }

    /** {@code fromStart}: measure from the host's creation (its meter and counters at zero). */
    private StageMeter(CostMeter meter, NetSlot slot, boolean fromStart) {
        this.meter = meter;
        this.slot = slot;
        this.total0 = fromStart ? 0 : meter.total();
        for (CostKind k : CostKind.values()) {
            byKind0[k.ordinal()] = fromStart ? 0 : meter.total(k);
        }
        this.counters0 = slot == null || fromStart ? null : slot.frontend().counters().snapshot();
        this.pinned0 = slot == null || fromStart ? 0 : slot.kernelCounters().get(KernelEvent.PAGES_PINNED);
        this.unpinned0 = slot == null || fromStart ? 0 : slot.kernelCounters().get(KernelEvent.PAGES_UNPINNED);
    }

    /** What a host (and {@code slot}'s device) has done since it was created: its start-up. */
    static StageMeter sinceCreation(CostMeter meter, NetSlot slot) {
        return new StageMeter(meter, slot, true);
    }

    /** Cost charged since the start, ns. */
    long costNs() {
        return meter.total() - total0;
    }

    /** The stage as reported, from {@code startNs} for as long as its cost (or until {@code endNs} if later). */
    MigrationReport.Stage stage(String name, String host, long startNs, long endNs, String error) {
        MigrationReport.Iotlb iotlb = null;
        long pinned = 0;
        long unpinned = 0;
        if (slot != null) {
            FrontendCounters now = slot.frontend().counters().snapshot();
            FrontendCounters d = counters0 == null ? now : now.minus(counters0);
            iotlb = new MigrationReport.Iotlb(d.update(), d.invalidate(), d.batchBegin(), d.batchEnd(), d.guestUpdate(),
                    d.guestInvalidate(), d.cvqUpdate(), d.cvqInvalidate());
            pinned = slot.kernelCounters().get(KernelEvent.PAGES_PINNED) - pinned0;
            unpinned = slot.kernelCounters().get(KernelEvent.PAGES_UNPINNED) - unpinned0;
        }
        return new MigrationReport.Stage(name, host, slot == null ? null : slot.name(), ms(startNs),
                ms(Math.max(endNs, startNs + costNs())), ms(costNs()), iotlb, pinned, unpinned, largestCosts(), error);
    }

    /** The cost kinds that took the most time in the stage, largest first (at most four, each at least 0.1 ms). */
    private Map<String, Double> largestCosts() {
        List<CostKind> kinds = new ArrayList<>(List.of(CostKind.values()));
        kinds.sort(Comparator.comparingLong((CostKind k) -> -(meter.total(k) - byKind0[k.ordinal()])));
        Map<String, Double> out = new LinkedHashMap<>();
        for (CostKind k : kinds) {
            long d = meter.total(k) - byKind0[k.ordinal()];
            if (out.size() == 4 || d < 100_000) {
                break;
            }
            out.put(k.name().toLowerCase(java.util.Locale.ROOT), ms(d));
        }
        return out;
    }

    static double ms(long ns) {
        return Math.round(ns / 1e3) / 1e3;
    }
}
