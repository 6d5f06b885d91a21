package org.toyvm.vm.report;

import java.util.Locale;
import java.util.Map;

/** The readable forms of {@code toyvm migrate}'s reports: the run's stages, and the published tables. */
public final class MigrationText {
    private MigrationText() {
    }

    private static String f1(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    public static String migration(MigrationReport r) {
        Map<String, Object> c = r.config();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "toyvm migrate: %s guest, %s NIC(s) x %s queue pair(s), QEMU %s, kernel %s,"
                + " parent %s%n", c.get("memory"), c.get("nics"), c.get("queue_pairs"), c.get("qemu"), c.get("kernel"),
                c.get("parent")));
        sb.append(String.format(Locale.ROOT, "techniques: early-map %s, desc-asid %s, persist %s, batch %s%s%n",
                yn(c.get("early_map")), yn(c.get("desc_asid")), yn(c.get("persist")), yn(c.get("batch")),
                c.containsKey("mlx5") ? "; mlx5: " + c.get("mlx5") : ""));
        sb.append(String.format(Locale.ROOT, "transfer: bandwidth %s, dirty rate %s B/s, downtime limit %s ms%n",
                c.get("bandwidth"), c.get("dirty_rate_bytes_per_s"), c.get("downtime_limit_ms")));
        if (r.ram() != null) {
            MigrationReport.Ram ram = r.ram();
            sb.append(String.format(Locale.ROOT, "pre-copy: %d round(s), %.1f s, %d bytes; stop-and-copy: %d bytes in"
                    + " %.1f ms%s%n", ram.rounds().size(), ram.precopyMs() / 1000, ram.precopyBytes(), ram.stopCopyBytes(),
                    ram.stopCopyMs(), ram.converged() ? "" : " (does NOT converge)"));
        }
        sb.append(String.format(Locale.ROOT, "%n%-46s %-11s %-13s %12s %12s %10s %8s %8s %8s %8s %10s%n", "stage", "host",
                "device", "start ms", "end ms", "cost ms", "upd0", "inv0", "upd1+", "inv1+", "pinned"));
        for (MigrationReport.Stage st : r.stages()) {
            MigrationReport.Iotlb i = st.iotlb();
            sb.append(String.format(Locale.ROOT, "%-46s %-11s %-13s %12.1f %12.1f %10.1f %8s %8s %8s %8s %10d%s%n",
                    st.stage(), st.host(), st.device() == null ? "-" : st.device(), st.startMs(), st.endMs(), st.costMs(),
                    i == null ? "-" : i.asid0Update(), i == null ? "-" : i.asid0Invalidate(),
                    i == null ? "-" : i.otherAsidUpdate(), i == null ? "-" : i.otherAsidInvalidate(), st.pagesPinned(),
                    st.error() == null ? "" : "  ERROR: " + st.error()));
        }
        sb.append(String.format(Locale.ROOT, "%n%-13s %10s %12s %9s %12s %12s %14s %9s%n", "device", "switch ms",
                "peer down ms", "lost", "src stop ms", "dst start ms", "switchover ms", "lost"));
        for (MigrationReport.Nic n : r.nics()) {
            sb.append(String.format(Locale.ROOT, "%-13s %10.1f %12s %9d %12.1f %12.1f %14s %9d%n", n.device(), n.switchMs(),
                    f1(n.switchDowntimeMs()), n.switchPingsLost(), n.sourceStopMs(), n.destinationStartMs(),
                    f1(n.switchoverDowntimeMs()), n.switchoverPingsLost()));
        }
        MigrationReport.Downtimes d = r.downtimes();
        sb.append(String.format(Locale.ROOT, "%ndowntime #1 (switch to SVQ, worst device): %.1f ms; #2 (stop-and-copy,"
                + " devices summed): %.1f ms; last SUSPEND -> last vring enable: %.1f ms%n", d.switchWorstDeviceMs(),
                d.stopCopySumMs(), d.lastSuspendToLastEnableMs()));
        sb.append(String.format(Locale.ROOT, "peers saw: %s ms down at the switch, %s ms at the switchover; vCPUs paused"
                + " %.1f ms%n", f1(d.switchPeerDowntimeMs()), f1(d.switchoverPeerDowntimeMs()), d.vcpuPausedMs()));
        MigrationReport.Summary s = r.summary();
        sb.append(String.format(Locale.ROOT, "%nsummary: migration %s; %d pings sent, %d lost; run %.1f s virtual"
                + " (peers quiet for %.1f s of it)%n", s.completed() ? "completed" : "FAILED", s.pingsSent(), s.pingsLost(),
                s.runMs() / 1000, s.peerQuietMs() / 1000));
        if (s.why() != null && !s.why().isEmpty()) {
            sb.append("why: ").append(s.why()).append(System.lineSeparator());
        }
        if (s.failure() != null) {
            sb.append("failure: ").append(s.failure()).append(System.lineSeparator());
        }
        return sb.toString();
    }

    public static String table(MigrationTableReport t) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "toyvm migrate --table: the published downtimes beside toyvm's (cost profile"
                + " %s); a cell is within when the ratio is inside 1/%.1f..%.1f%n", t.costProfile(), t.factor(),
                t.factor()));
        for (MigrationTableReport.Table tb : t.tables()) {
            sb.append(String.format(Locale.ROOT, "%n%s — %s%n  %s%n  assumed: %s%n", tb.id(), tb.title(), tb.source(),
                    tb.assumed()));
            sb.append(String.format(Locale.ROOT, "  %-38s %-13s %-10s %14s %12s %7s %s%n", "row", "techniques", "measure",
                    "published", "toyvm ms", "ratio", ""));
            for (MigrationTableReport.Row row : tb.rows()) {
                for (MigrationTableReport.Cell c : row.cells()) {
                    sb.append(String.format(Locale.ROOT, "  %-38s %-13s %-10s %14s %12s %7s %s%n", row.label(),
                            abbreviate(row.techniques()), c.measure(), c.published(), f1(c.toyvmMs()),
                            c.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", c.ratio()),
                            c.within() ? "within" : "OFF"));
                }
                if (row.failure() != null) {
                    sb.append("    failed: ").append(row.failure()).append(System.lineSeparator());
                }
            }
        }
        sb.append(String.format(Locale.ROOT, "%n%d of %d cells within a factor of %.1f%n", t.within(), t.cells(),
                t.factor()));
        return sb.toString();
    }

    private static String abbreviate(String techniques) {
        return techniques.replace("early-map", "E").replace("desc-asid", "D").replace("persist", "P")
                .replace("batch", "B").replace(", ", "");
    }

    private static String yn(Object b) {
        return Boolean.TRUE.equals(b) ? "on" : "off";
    }
}
