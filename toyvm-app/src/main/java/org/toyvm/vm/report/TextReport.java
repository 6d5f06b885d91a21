package org.toyvm.vm.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The readable form of the reports: what a person reads on a terminal. */
public final class TextReport {
    private TextReport() {
    }

    static String ms(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String ms(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** The run report: configuration line, backend features, one row per reboot and what it means. */
    public static String run(RunReport r) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> c = r.config();
        sb.append(String.format(Locale.ROOT, "toyvm run: %s guest, QEMU %s, kernel %s, parent %s, policy %s, clock %s,"
                + " netdev %s%n", c.get("memory"), c.get("qemu"), c.get("kernel"), c.get("parent"), c.get("policy"),
                c.get("clock"), c.get("netdev")));
        if (c.get("memory_backend") != null) {
            sb.append("memory backend: ").append(c.get("memory_backend")).append(" (").append(c.get("memory_backend_why"))
                    .append(")\n");
        }
        sb.append("backend features offered: ").append(String.join(" ", r.backendFeatures().offered())).append('\n');
        sb.append("backend features acked:   ").append(String.join(" ", r.backendFeatures().acked())).append('\n');
        if (r.vmStart() != null) {
            sb.append("vm start: ").append(r.vmStart()).append('\n');
        }
        if (r.devices() != null) {
            devices(sb, r);
        }
        if (r.reboots().isEmpty()) {
            sb.append(r.summary().failure() != null && c.get("reboots") instanceof Integer n && n > 0
                    ? "no reboot measured (see FAILURE below)\n" : "no reboot (traffic only)\n");
        } else {
            sb.append('\n');
            sb.append(String.format(Locale.ROOT, "%-6s %-9s %12s %12s %11s %11s %8s %12s %6s%n", "reboot", "restored",
                    "downtime ms", "vcpu frz ms", "pings lost", "guest lost", "iotlb", "pinned pages", "faults"));
            for (RebootResult b : r.reboots()) {
                sb.append(String.format(Locale.ROOT, "%-6d %-9s %12s %12s %11s %11s %8d %12d %6d%n", b.index(),
                        b.restored() ? "yes" : "NO", ms(b.downtimeMs()), ms(b.vcpuFreezeMs()),
                        b.pingsSent() == null ? "?" : b.pingsLost() + "/" + b.pingsSent(), b.guestPingsLost() + "/" + b.guestPingsSent(),
                        b.iotlbMessages(), b.pagesPinned(), b.dmaFaults()));
            }
            for (RebootResult b : r.reboots()) {
                if (b.queuePairsRestoredMs() != null) {
                    sb.append(pairsLine("reboot " + b.index(), b.queuePairsRestoredMs()));
                }
            }
            for (RebootResult b : r.reboots()) {
                if (b.nics() != null) {
                    nics(sb, b);
                }
            }
            sb.append('\n');
            for (RebootResult b : r.reboots()) {
                sb.append("reboot ").append(b.index()).append(": ").append(b.explanation()).append('\n');
                if (b.nics() != null) {
                    for (NicResult n : b.nics()) {
                        sb.append("  ").append(n.device()).append(": ").append(n.explanation()).append('\n');
                    }
                }
            }
        }
        RunReport.Summary s = r.summary();
        sb.append(String.format(Locale.ROOT, "%nsummary: %d/%d reboots restored connectivity; max downtime %s ms;"
                + " max vCPU freeze %s ms; peer pings lost %d/%d; guest pings lost %d/%d; DMA faults %d%n",
                s.restored(), s.reboots(), ms(s.maxDowntimeMs()), ms(s.maxVcpuFreezeMs()), s.pingsLost(), s.pingsSent(),
                s.guestPingsLost(), s.guestPingsSent(), s.dmaFaults()));
        if (s.failure() != null) {
            sb.append("FAILURE: ").append(s.failure()).append('\n');
        }
        return sb.toString();
    }

    /** "reboot 1 queue pairs back (ms after the reset): 0:2010.1 1:2010.3 ..." — a dash for a pair not back. */
    static String pairsLine(String what, List<Double> ps) {
        return pairsLine(what, "the reset", ps);
    }

    /** The same with the times' origin named: "the reset" (one NIC) or "the reboot request" (one of several). */
    static String pairsLine(String what, String origin, List<Double> ps) {
        StringBuilder sb = new StringBuilder(what).append(" queue pairs back (ms after ").append(origin).append("):");
        for (int k = 0; k < ps.size(); k++) {
            sb.append(' ').append(k).append(':').append(ms(ps.get(k)));
        }
        return sb.append('\n').toString();
    }

    /** Each vDPA device: addresses, how it maps, whether it carried traffic, what the kernel refused. */
    private static void devices(StringBuilder sb, RunReport r) {
        sb.append(String.format(Locale.ROOT, "net: %s NIC(s), memlock %s bytes%n", r.config().get("nics"),
                r.config().get("memlock_bytes")));
        for (DeviceReport d : r.devices()) {
            sb.append(String.format(Locale.ROOT, "  %s: mac %s, ip %s, peer %s; %s; pinned at the end: %d pages%n",
                    d.device(), d.mac(), d.ip(), d.peerIp(), d.mapping(), d.pagesPinnedAtEnd()));
            if (!"ok".equals(d.connectivity())) {
                sb.append("  ").append(d.device()).append(" NO CONNECTIVITY: ").append(d.connectivity()).append('\n');
            }
            for (String f : d.mapFailures()) {
                sb.append("    refused: ").append(f).append('\n');
            }
        }
    }

    /**
     * One row per NIC of a reboot of several NICs, each followed by its queue pairs' return when it has
     * several: the device's reset, its return and its pairs' all in ms from the reboot request (the guest
     * resets the devices one after the other, so each device's own reset comes later than the request).
     */
    private static void nics(StringBuilder sb, RebootResult b) {
        for (NicResult n : b.nics()) {
            sb.append(String.format(Locale.ROOT, "  %-13s %-9s %12s %12s %11s %11s %8d %12d %6d"
                    + "  ms after the reboot request: reset %s, back %s%n",
                    n.device(), n.restored() ? "yes" : "NO", ms(n.downtimeMs()), "(shared)",
                    n.pingsLost() + "/" + n.pingsSent(), n.guestPingsLost() + "/" + n.guestPingsSent(),
                    n.iotlbMessages(), n.pagesPinned(), n.dmaFaults(), ms(n.resetAfterMs()), ms(n.backAfterMs())));
            if (n.queuePairsRestoredMs() != null) {
                sb.append("  ").append(pairsLine(n.device(), "the reboot request", n.queuePairsRestoredMs()));
            }
        }
    }

    /** The matrix as a table, with each cell's explanation. */
    public static String matrix(MatrixReport m) {
        StringBuilder sb = new StringBuilder();
        // The parent column widens for a parent with module options (vdpa-sim,use_va=off).
        String pw = "%-" + parentWidth(m.cells().stream().map(MatrixReport.Cell::parent)) + "s";
        ShapeColumns shape = ShapeColumns.of(m.cells().stream().map(MatrixReport.Cell::memoryBackend),
                m.cells().stream().map(MatrixReport.Cell::nics), m.cells().stream().map(MatrixReport.Cell::queuePairs));
        sb.append(String.format(Locale.ROOT, "%-6s %-6s " + pw + " %-8s " + shape.header() + "%-8s %-6s %-9s %12s %14s %14s %8s%n",
                "qemu", "kernel", "parent", "policy", "offered", "acked", "restored", "downtime ms", "iotlb msgs",
                "pages pinned", "faults"));
        for (MatrixReport.Cell c : m.cells()) {
            sb.append(String.format(Locale.ROOT, "%-6s %-6s " + pw + " %-8s " + shape.row(c.memoryBackend(), c.nics(),
                    c.queuePairs()) + "%-8s %-6s %-9s %12s %14d %14d %8d%n", c.qemu(), c.kernel(),
                    c.parent(), c.policy(), yn(c.persistOffered()), yn(c.persistAcked()), c.restored() ? "yes" : "NO",
                    ms(c.downtimeMs()), c.iotlbMessagesDuringReboot(), c.pagesPinnedDuringReboot(), c.dmaFaults()));
        }
        sb.append('\n');
        for (MatrixReport.Cell c : m.cells()) {
            sb.append(c.name()).append(": ").append(c.explanation()).append('\n');
        }
        for (MatrixReport.Cell c : m.failed()) {
            sb.append("FAILURE ").append(c.name()).append(": ").append(c.failure()).append('\n');
        }
        return sb.toString();
    }

    /** The sweep as a table. */
    public static String sweep(SweepReport s) {
        StringBuilder sb = new StringBuilder();
        String pw = "%-" + parentWidth(s.points().stream().map(SweepReport.Point::parent)) + "s";
        ShapeColumns shape = ShapeColumns.of(s.points().stream().map(SweepReport.Point::memoryBackend),
                s.points().stream().map(SweepReport.Point::nics), s.points().stream().map(SweepReport.Point::queuePairs));
        sb.append(String.format(Locale.ROOT, "%-8s %-6s %-6s " + pw + " %-8s " + shape.header()
                + "%-9s %12s %12s %12s %16s %10s%n", "memory", "qemu", "kernel", "parent", "policy", "restored",
                "downtime ms", "vcpu frz ms", "iotlb msgs", "pages pinned", "wall ms"));
        for (SweepReport.Point p : s.points()) {
            sb.append(String.format(Locale.ROOT, "%-8s %-6s %-6s " + pw + " %-8s " + shape.row(p.memoryBackend(),
                    p.nics(), p.queuePairs()) + "%-9s %12s %12s %12d %16d %10s%n",
                    org.toyvm.core.units.Sizes.format(p.memoryBytes()), p.qemu(), p.kernel(), p.parent(), p.policy(),
                    p.restored() ? "yes" : "NO", ms(p.downtimeMs()), ms(p.vcpuFreezeMs()), p.iotlbMessagesDuringReboot(),
                    p.pagesPinnedDuringReboot(), ms(p.wallMs())));
        }
        for (SweepReport.Point p : s.failed()) {
            sb.append("FAILURE ").append(p.name()).append(": ").append(p.failure()).append('\n');
        }
        return sb.toString();
    }

    /** The parent column: 9 wide as before, wider when a label (a parent with options) needs it. */
    private static int parentWidth(java.util.stream.Stream<String> labels) {
        return Math.max(9, labels.mapToInt(String::length).max().orElse(0));
    }

    private static String yn(boolean b) {
        return b ? "yes" : "no";
    }
}
