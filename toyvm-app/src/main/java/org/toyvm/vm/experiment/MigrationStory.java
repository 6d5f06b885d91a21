package org.toyvm.vm.experiment;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.toyvm.vm.report.MigrationReport;

/**
 * Why a migration's downtimes are what they are, in a few sentences built from what was measured: for
 * the switch to shadow virtqueues and for the switchover, the stage that took longest, the IOTLB
 * messages its frontend wrote in address space 0 (guest RAM) and in the others (shadow rings, control
 * queue), the pages pinned and unpinned, and the cost kinds that dominated.
 */
final class MigrationStory {
    private MigrationStory() {
    }

    static String explain(List<MigrationReport.Stage> stages) {
        StringBuilder sb = new StringBuilder();
        worst(stages, "switch to shadow virtqueues").ifPresent(st -> sb.append(String.format(Locale.ROOT,
                "Switch to SVQ (worst device %s, %.1f ms): %s. ", st.device(), st.costMs(), what(st))));
        double stop = sum(stages, "stop (vm_stop)");
        double start = sum(stages, "start (vm_start)");
        if (stop + start > 0) {
            sb.append(String.format(Locale.ROOT, "Switchover: the source's teardown took %.1f ms in all (%s), the"
                    + " destination's setup %.1f ms (%s). ", stop, whatAll(stages, "stop (vm_stop)"), start,
                    whatAll(stages, "start (vm_start)")));
        }
        worst(stages, "destination start-up").filter(st -> st.pagesPinned() > 0).ifPresent(st -> sb.append(
                String.format(Locale.ROOT, "The destination mapped guest RAM before the switchover, at its start-up"
                        + " (%d pages pinned per device, %.1f ms).", st.pagesPinned(), st.costMs())));
        return sb.toString().strip();
    }

    private static java.util.Optional<MigrationReport.Stage> worst(List<MigrationReport.Stage> stages, String name) {
        return stages.stream().filter(s -> s.stage().equals(name)).max(Comparator.comparingDouble(
                MigrationReport.Stage::costMs));
    }

    private static double sum(List<MigrationReport.Stage> stages, String name) {
        return stages.stream().filter(s -> s.stage().equals(name)).mapToDouble(MigrationReport.Stage::costMs).sum();
    }

    /** One stage's IOTLB traffic, pins and largest costs, in words. */
    static String what(MigrationReport.Stage st) {
        MigrationReport.Iotlb i = st.iotlb();
        String msgs = i == null ? "no IOTLB message" : String.format(Locale.ROOT,
                "ASID 0: %d UPDATE, %d INVALIDATE; other ASIDs: %d UPDATE, %d INVALIDATE; %d batches",
                i.asid0Update(), i.asid0Invalidate(), i.otherAsidUpdate(), i.otherAsidInvalidate(), i.batchEnd());
        return msgs + String.format(Locale.ROOT, "; %d pages pinned, %d unpinned", st.pagesPinned(), st.pagesUnpinned())
                + costs(st.costsMs());
    }

    private static String whatAll(List<MigrationReport.Stage> stages, String name) {
        long u0 = 0;
        long i0 = 0;
        long un = 0;
        long in = 0;
        long pin = 0;
        long unpin = 0;
        Map<String, Double> costs = new java.util.LinkedHashMap<>();
        for (MigrationReport.Stage st : stages) {
            if (!st.stage().equals(name) || st.iotlb() == null) {
                continue;
            }
            u0 += st.iotlb().asid0Update();
            i0 += st.iotlb().asid0Invalidate();
            un += st.iotlb().otherAsidUpdate();
            in += st.iotlb().otherAsidInvalidate();
            pin += st.pagesPinned();
            unpin += st.pagesUnpinned();
            st.costsMs().forEach((k, v) -> costs.merge(k, v, Double::sum));
        }
        Map<String, Double> top = new java.util.LinkedHashMap<>();
        costs.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(3)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return String.format(Locale.ROOT, "ASID 0: %d UPDATE, %d INVALIDATE; other ASIDs: %d UPDATE, %d INVALIDATE;"
                + " %d pages pinned, %d unpinned", u0, i0, un, in, pin, unpin) + costs(top);
    }

    private static String costs(Map<String, Double> c) {
        if (c.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("; mostly ");
        c.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s %.1f ms, ", k, v)));
        return sb.substring(0, sb.length() - 2);
    }
}
