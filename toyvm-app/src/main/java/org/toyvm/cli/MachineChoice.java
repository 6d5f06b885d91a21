package org.toyvm.cli;

import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}'s machine: one guest size, kernel, parent and policy. */
final class MachineChoice {
    @Mixin
    GuestMemory memory;

    @Mixin
    KernelAndParent device;

    @Option(names = "--policy", paramLabel = "legacy|persist|naive", defaultValue = "persist",
            converter = Converters.Policy.class, description = "Userspace reset policy (default: ${DEFAULT-VALUE}).")
    ResetPolicy policy;

    long memoryBytes() {
        return memory.bytes();
    }

    KernelVersion kernel() {
        return device.kernel;
    }

    ParentSpec parent() {
        return device.parent;
    }
}
