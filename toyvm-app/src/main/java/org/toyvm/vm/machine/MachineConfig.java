package org.toyvm.vm.machine;

import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.kernel.KernelVersion;
import org.toyvm.vdpa.parent.ParentKind;
import org.toyvm.vm.stack.MacAddress;

/** What the machine is made of. */
public record MachineConfig(long memoryBytes, KernelVersion kernel, ParentKind parent, ResetPolicy policy,
        CostProfile costs, MacAddress mac) {
    /** The guest needs room for its rings and buffers below 64 MiB. */
    public static final long MIN_MEMORY = 64L << 20;

    public MachineConfig {
        if (memoryBytes < MIN_MEMORY) {
            throw new IllegalArgumentException("guest memory " + memoryBytes + " is below the minimum of 64M");
        }
        if ((memoryBytes & 0xfff) != 0) {
            throw new IllegalArgumentException("guest memory must be a multiple of 4K");
        }
    }
}
