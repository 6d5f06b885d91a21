package org.toyvm.cli;

import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import picocli.CommandLine.Option;

/** {@code run}'s machine: one guest size, kernel, parent and policy. */
final class MachineChoice {
    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "8G",
            description = "Guest memory, K/M/G/T/P suffixes, 64M..4194303G; with --parent platform at most 262143G"
                    + " (the 48-bit IOMMU aperture) (default: ${DEFAULT-VALUE}).")
    String memory;

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
        return Bounds.memory("--memory", memory);
    }
}
