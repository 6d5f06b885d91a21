package org.toyvm.cli;

import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentSpec;
import picocli.CommandLine.Option;

/** {@code --kernel} and {@code --parent}: one kernel generation and one vDPA parent, for {@code run} and {@code uapi}. */
final class KernelAndParent {
    @Option(names = "--kernel", paramLabel = "VERSION", defaultValue = "6.12", converter = Converters.Kernel.class,
            description = "Kernel generation whose vhost-vdpa semantics to model: 6.1, 6.6, 6.7, 6.8, 6.11, 6.12"
                    + " (default: ${DEFAULT-VALUE}, the newest).")
    KernelVersion kernel;

    @Option(names = "--parent", paramLabel = "PARENT[,OPTION=on|off...]", defaultValue = "mlx5",
            converter = Converters.Parent.class, description = "vDPA parent driver: platform, mlx5 or vdpa-sim,"
                    + " as its module ships; vdpa-sim takes use_va=on|off and batch_mapping=on|off (shipped: both on;"
                    + " use_va exists from 6.3 and is ignored on 6.1) (default: ${DEFAULT-VALUE}).")
    ParentSpec parent;
}
