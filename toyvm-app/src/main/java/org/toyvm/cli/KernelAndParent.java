package org.toyvm.cli;

import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import picocli.CommandLine.Option;

/** {@code --kernel} and {@code --parent}: one kernel generation and one vDPA parent, for {@code run} and {@code uapi}. */
final class KernelAndParent {
    @Option(names = "--kernel", paramLabel = "VERSION", defaultValue = "6.7", converter = Converters.Kernel.class,
            description = "Kernel generation whose vhost-vdpa semantics to model (default: ${DEFAULT-VALUE}).")
    KernelVersion kernel;

    @Option(names = "--parent", paramLabel = "platform|mlx5|vdpa-sim", defaultValue = "mlx5",
            converter = Converters.Parent.class, description = "vDPA parent driver (default: ${DEFAULT-VALUE}).")
    ParentKind parent;
}
