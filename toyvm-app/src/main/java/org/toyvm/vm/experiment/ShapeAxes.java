package org.toyvm.vm.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * The machine-shape axes of a matrix or sweep ({@code --memory-backend}, {@code --nics},
 * {@code --queues}, each a comma list): every cell of the kernel × parent × policy plan is run once per
 * backend × NICs × queue pairs, in that order (queue pairs innermost). A report names an axis in its
 * cells only when it was given something other than its default ({@link #showsBackend} & co.), so the
 * default matrix and sweep print what they did before these axes existed.
 */
public record ShapeAxes(List<BackendChoice> backends, List<Integer> nics, List<Integer> queuePairs) {
    /** One NIC, one queue pair, the default backend of each cell's parent. */
    public static final ShapeAxes DEFAULT = new ShapeAxes(List.of(BackendChoice.DEFAULT), List.of(1), List.of(1));

    public ShapeAxes {
        backends = List.copyOf(backends);
        nics = List.copyOf(nics);
        queuePairs = List.copyOf(queuePairs);
        if (backends.isEmpty() || nics.isEmpty() || queuePairs.isEmpty()) {
            throw new IllegalArgumentException("an axis needs at least one value");
        }
    }

    /** How many runs each kernel × parent × policy cell becomes. */
    public long size() {
        return (long) backends.size() * nics.size() * queuePairs.size();
    }

    /**
     * {@code cell} (its kernel and parent set) once per backend × NICs × queue pairs; the default backend
     * is resolved for the cell's own parent and kernel ({@link BackendChoice#defaultFor}).
     */
    public List<RunConfig> expand(RunConfig cell) {
        List<RunConfig> out = new ArrayList<>();
        for (BackendChoice b : backends) {
            RunConfig withBackend = cell.withMemoryBackend(b);
            for (int n : nics) {
                for (int q : queuePairs) {
                    out.add(withBackend.withNet(cell.net().withNics(n).withQueuePairs(q)));
                }
            }
        }
        return out;
    }

    /** The backend axis is named in each cell unless it is {@code default} alone. */
    public boolean showsBackend() {
        return !backends.equals(DEFAULT.backends);
    }

    public boolean showsNics() {
        return !nics.equals(DEFAULT.nics);
    }

    public boolean showsQueuePairs() {
        return !queuePairs.equals(DEFAULT.queuePairs);
    }

    @Override
    public String toString() {
        return "backends " + backends + ", nics " + nics + ", queue pairs " + queuePairs;
    }
}
