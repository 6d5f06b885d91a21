package org.toyvm.cli;

import picocli.CommandLine.Option;

/** {@code --memory SIZE}: one guest size, for {@code run} and {@code matrix} ({@code sweep} takes a list). */
final class GuestMemory {
    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "8G",
            description = "Guest memory, K/M/G/T/P suffixes, 64M..4194303G; with --parent platform at most 262143G"
                    + " (the 48-bit IOMMU aperture) (default: ${DEFAULT-VALUE}).")
    String memory;

    /** The size, parsed and checked against the machine's limits. */
    long bytes() {
        return Bounds.memory("--memory", memory);
    }
}
