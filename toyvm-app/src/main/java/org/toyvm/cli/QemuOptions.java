package org.toyvm.cli;

import java.util.List;
import org.toyvm.net.vhost.QemuVersion;
import picocli.CommandLine.Option;

/**
 * {@code --qemu}: the QEMU release whose vhost-vdpa order the frontend follows (docs/DESIGN.md §4;
 * README "QEMU versions"). {@link One} for {@code run} and {@code bench}; {@link Axis} for {@code matrix}
 * and {@code sweep}, where it is a comma list like their other axes ({@code --qemus} is the same option).
 */
final class QemuOptions {
    private QemuOptions() {
    }

    /** One release (default: the newest). */
    static final class One {
        @Option(names = "--qemu", paramLabel = "9.0|9.2|10.1|master", defaultValue = "master",
                converter = Converter.class,
                description = "QEMU release whose vhost-vdpa start/stop/reset order the VMM follows (default:"
                        + " ${DEFAULT-VALUE}).")
        QemuVersion qemu;
    }

    /** A comma list of releases, one axis of the plan (default: the newest). */
    static final class Axis {
        @Option(names = {"--qemu", "--qemus"}, paramLabel = "Q[,Q...]", defaultValue = "master",
                description = "QEMU releases (comma list of 9.0, 9.2, 10.1, master) (default: ${DEFAULT-VALUE}).")
        String qemus;

        List<QemuVersion> list() {
            return MachineAxes.list("--qemu", qemus, QemuVersion::parse);
        }
    }

    static final class Converter extends Converters.Label<QemuVersion> {
        Converter() {
            super(QemuVersion::parse);
        }
    }
}
