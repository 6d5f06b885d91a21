package org.toyvm.vm.machine;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.toyvm.net.vhost.IoctlTraceSink;

/**
 * When each kind of ioctl a device's frontend issued last took hold, on the run's causal clock (the
 * scheduler's time plus the cost already charged in the operation that issued it): what a QEMU trace
 * point at that ioctl would have stamped. A migration's published interval runs from one host's last
 * {@code SUSPEND} to the other's last {@code VDPA_SET_VRING_ENABLE} (docs/migration.md §1.3).
 */
public final class IoctlMilestones implements IoctlTraceSink {
    private final LongSupplier causalNow;
    private final Map<String, Long> last = new HashMap<>();
    private final Map<String, Long> counts = new HashMap<>();

    IoctlMilestones(LongSupplier causalNow) {
        this.causalNow = causalNow;
    }

    @Override
    public void issued(String name, String arg, String result, String by) {
        last.put(name, causalNow.getAsLong());
        counts.merge(name, 1L, Long::sum);
    }

    /** When the last {@code name} ioctl (e.g. "SUSPEND") took hold, or -1 if none was issued. */
    public long lastAt(String name) {
        return last.getOrDefault(name, -1L);
    }

    /** How many {@code name} ioctls were issued. */
    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }
}
