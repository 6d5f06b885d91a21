package org.toyvm.cli;

import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}'s machine: one guest size, kernel, parent and policy. */
final class MachineChoice {
    @Mixin
    GuestMemory memory;

    @Option(names = "--kernel", paramLabel = "VERSION", defaultValue = "6.7", converter = Converters.Kernel.class,
            description = "Kernel generation whose vhost-vdpa semantics to model (default: ${DEFAULT-VALUE}).")
    KernelVersion kernel;

    @Option(names = "--parent", paramLabel = "platform|mlx5|vdpa-sim", defaultValue = "mlx5",
            converter = Converters.Parent.class, description = "vDPA parent driver (default: ${DEFAULT-VALUE}).")
    ParentKind parent;

    @Option(names = "--policy", paramLabel = "legacy|persist|naive", defaultValue = "persist",
            converter = Converters.Policy.class, description = "Userspace reset policy (default: ${DEFAULT-VALUE}).")
    ResetPolicy policy;

    long memoryBytes() {
        return memory.bytes();
    }
}
