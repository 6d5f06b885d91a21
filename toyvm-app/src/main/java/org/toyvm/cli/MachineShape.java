package org.toyvm.cli;

import org.toyvm.vm.experiment.BackendChoice;
import org.toyvm.vm.experiment.RunConfig;
import picocli.CommandLine.Option;

/**
 * {@code run}'s machine shape, one value each: what backs guest RAM, how many vDPA NICs and how many
 * queue pairs per NIC. On matrix and sweep the same options are comma lists ({@link MachineAxes}).
 */
final class MachineShape {
    @Option(names = "--memory-backend", paramLabel = "default|anon|thp|hugetlb-2M|hugetlb-1G|memfd",
            defaultValue = "default",
            description = "What backs guest RAM: its page size is the physically contiguous run (one IOTLB entry"
                    + " each in PA mode) and only memfd and hugetlb (shared) are mapped in VA mode; default: thp"
                    + " for a PA-mode parent (mlx5, platform, vdpa-sim on 6.1 or use_va=off), memfd for a VA-mode"
                    + " one (vdpa-sim as shipped on 6.3+) (default: ${DEFAULT-VALUE}).")
    String memoryBackend;

    @Option(names = "--nics", paramLabel = "N", defaultValue = "1",
            description = "vDPA virtio-net NICs, 1..8, each its own /dev/vhost-vdpa-N (default: ${DEFAULT-VALUE}).")
    String nics;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "1",
            description = "Queue pairs per NIC, 1..16 (VIRTIO_NET_F_MQ) (default: ${DEFAULT-VALUE}).")
    String queues;

    /** {@code c} with this shape: set its kernel and parent first (the default backend is theirs). */
    RunConfig apply(RunConfig c) {
        BackendChoice backend = GuestOptions.user("--memory-backend", () -> BackendChoice.parse(memoryBackend));
        int n = one("--nics", Bounds.NICS, nics);
        int q = one("--queues", Bounds.QUEUES, queues);
        return c.withMemoryBackend(backend).withNet(c.net().withNics(n).withQueuePairs(q));
    }

    private static int one(String option, Bounds.CountRange range, String text) {
        try {
            return Bounds.count(range, text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad " + option + " '" + text + "': " + e.getMessage());
        }
    }
}
