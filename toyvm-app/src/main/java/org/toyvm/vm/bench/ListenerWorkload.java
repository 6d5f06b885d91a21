package org.toyvm.vm.bench;

import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.MemoryListener;
import org.toyvm.memory.MemoryRegion;
import org.toyvm.memory.MemoryRegionSection;
import org.toyvm.memory.MemorySystem;

/**
 * A topology of {@code n} RAM sections (DIMM-like, 2 MiB each with gaps) with a listener; one
 * operation hotplugs one more region (one commit: re-render, diff, callbacks) and unplugs it again
 * (a second commit), so the topology is the same before every operation.
 */
public final class ListenerWorkload {
    private final MemorySystem sys = new MemorySystem();
    private final MemoryRegion root;
    private final MemoryRegion extra;
    private final long extraAt;
    private long callbacks;

    public ListenerWorkload(int n) {
        RamBlock block = new HostAddressSpace().map("ram", 4L << 20);
        root = sys.container("system", -1L);
        AddressSpace as = sys.addressSpace("memory", root);
        sys.transactionBegin();
        for (int i = 0; i < n; i++) {
            root.addSubregion(i * (4L << 20), sys.ram("dimm" + i, block, 0, 2L << 20));
        }
        sys.transactionCommit();
        as.registerListener(new MemoryListener() {
            @Override
            public void regionAdd(MemoryRegionSection s) {
                callbacks++;
            }

            @Override
            public void regionDel(MemoryRegionSection s) {
                callbacks++;
            }
        });
        extra = sys.ram("hotplug", block, 0, 2L << 20);
        extraAt = n * (4L << 20);
    }

    /** Two commits: plug, unplug. */
    public long hotplugAndUnplug() {
        root.addSubregion(extraAt, extra);
        root.delSubregion(extra);
        return callbacks;
    }
}
