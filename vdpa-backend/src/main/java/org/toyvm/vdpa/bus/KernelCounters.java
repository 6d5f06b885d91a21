package org.toyvm.vdpa.bus;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * Counters of one kernel model instance: IOTLB messages by type and result, parent calls, pages
 * pinned and unpinned. Reports take differences of {@link #snapshot()}s.
 */
public final class KernelCounters {
    private final long[] events = new long[KernelEvent.values().length];
    private final Map<String, Long> messages = new LinkedHashMap<>();

    public void add(KernelEvent e, long n) {
        events[e.ordinal()] += n;
    }

    public void inc(KernelEvent e) {
        events[e.ordinal()]++;
    }

    public long get(KernelEvent e) {
        return events[e.ordinal()];
    }

    /** Counts one written message of inner type {@code iotlbType} with its result. */
    public void message(int iotlbType, Errno result) {
        messages.merge(VhostUapi.iotlbTypeName(iotlbType) + ":" + result.symbol(), 1L, Long::sum);
    }

    /** Every counter by name; messages as "msg:TYPE:result", e.g. {@code msg:UPDATE:0}, {@code msg:UPDATE:EFAULT}. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        EnumMap<KernelEvent, Long> e = new EnumMap<>(KernelEvent.class);
        for (KernelEvent k : KernelEvent.values()) {
            e.put(k, events[k.ordinal()]);
        }
        e.forEach((k, v) -> m.put(k.name().toLowerCase(Locale.ROOT), v));
        messages.forEach((k, v) -> m.put("msg:" + k, v));
        return m;
    }
}
