package org.toyvm.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.experiment.BackendChoice;
import org.toyvm.vm.experiment.ShapeAxes;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code matrix}'s and {@code sweep}'s axes (docs/DESIGN.md §4): {@code --kernel} (also spelled
 * {@code --kernels}), {@code --parent}, {@code --policy}, {@code --memory-backend}, {@code --nics} and
 * {@code --queues} take comma lists and the command runs their product. The last three default to one
 * value on both commands ({@code default}, 1, 1: the parent's default backend, one NIC of one pair). Each command gives its own defaults through its default value provider (matrix: every
 * value; sweep: 6.12, mlx5, legacy,persist). sweep's former {@code --policies} is dropped:
 * {@code --policy} is the contract's name on every command.
 *
 * <p>In the parent list an element {@code option=value} belongs to the parent before it, so
 * {@code mlx5,vdpa-sim,use_va=off,vdpa-sim} is three parents: mlx5, vdpa-sim in PA mode, and vdpa-sim
 * as shipped (parent names never hold an {@code =}).
 */
final class MachineAxes {
    @Option(names = {"--kernel", "--kernels"}, paramLabel = "K[,K...]",
            description = "Kernel generations (comma list) (default: ${DEFAULT-VALUE}).")
    String kernels;

    @Option(names = "--parent", paramLabel = "P[,P...]",
            description = "vDPA parents: platform, mlx5, vdpa-sim (comma list; vdpa-sim may be followed by"
                    + " use_va=on|off and batch_mapping=on|off) (default: ${DEFAULT-VALUE}).")
    String parents;

    @Option(names = "--policy", paramLabel = "POL[,POL...]",
            description = "Reset policies: legacy, persist, naive (comma list) (default: ${DEFAULT-VALUE}).")
    String policies;

    @Option(names = "--memory-backend", paramLabel = "B[,B...]",
            description = "What backs guest RAM (comma list of default, anon, thp, hugetlb-2M, hugetlb-1G, memfd;"
                    + " default: thp for a PA-mode parent, memfd for a VA-mode one, per cell) (default:"
                    + " ${DEFAULT-VALUE}).")
    String memoryBackends;

    @Option(names = "--nics", paramLabel = "N[,N...]",
            description = "vDPA NICs (comma list, each 1..8) (default: ${DEFAULT-VALUE}).")
    String nics;

    @Option(names = "--queues", paramLabel = "N[,N...]",
            description = "Queue pairs per NIC (comma list, each 1..16) (default: ${DEFAULT-VALUE}).")
    String queues;

    List<KernelVersion> kernels() {
        return list("--kernel", kernels, KernelVersion::parse);
    }

    List<ParentSpec> parents() {
        return list("--parent", groupOptions(parents), ParentSpec::parse, ';');
    }

    /**
     * The parent list regrouped so that each parent keeps its options: the commas before an
     * {@code option=value} element become part of that parent, the others separate parents ({@code ;}).
     */
    static String groupOptions(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        String[] parts = text.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                sb.append(parts[i].contains("=") ? ',' : ';');
            }
            sb.append(parts[i]);
        }
        return sb.toString();
    }

    List<ResetPolicy> policies() {
        return list("--policy", policies, ResetPolicy::parse);
    }

    /** The backend × NICs × queue pairs each kernel × parent × policy cell runs with. */
    ShapeAxes shapes() {
        return new ShapeAxes(distinct("--memory-backend", memoryBackends, list("--memory-backend", memoryBackends,
                BackendChoice::parse)), distinct("--nics", nics, list("--nics", nics, v -> Bounds.count(Bounds.NICS, v))),
                distinct("--queues", queues, list("--queues", queues, v -> Bounds.count(Bounds.QUEUES, v))));
    }

    /** Refuses two elements spelt differently that mean the same ({@code THP,thp}; {@code 1,01}). */
    private static <T> List<T> distinct(String option, String text, List<T> values) {
        LinkedHashSet<T> seen = new LinkedHashSet<>();
        for (T v : values) {
            if (!seen.add(v)) {
                throw new UsageException("bad " + option + " '" + text + "': " + v + " appears twice");
            }
        }
        return values;
    }

    /**
     * A comma list of values: no empty element (so {@code ","} is refused), no value twice, each parsed.
     *
     * @throws UsageException naming the option, the list and what is wrong
     */
    static <T> List<T> list(String option, String text, Function<String, T> parse) {
        return list(option, text, parse, ',');
    }

    /** As {@link #list(String, String, Function)} with another separator; errors quote the list with commas. */
    static <T> List<T> list(String option, String grouped, Function<String, T> parse, char separator) {
        String text = grouped == null ? null : grouped.replace(separator, ',');
        if (text == null || text.isBlank()) {
            throw new UsageException("bad " + option + " '" + text + "': expected a comma-separated list");
        }
        String[] parts = grouped.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        List<T> out = new ArrayList<>();
        for (String p : parts) {
            String v = p.strip();
            if (v.isEmpty()) {
                throw new UsageException("bad " + option + " '" + text + "': an empty element; expected a"
                        + " comma-separated list of values");
            }
            if (!seen.add(v)) {
                throw new UsageException("bad " + option + " '" + text + "': " + v + " appears twice");
            }
            try {
                out.add(parse.apply(v));
            } catch (IllegalArgumentException e) {
                throw new UsageException("bad " + option + " '" + text + "': " + e.getMessage());
            }
        }
        return out;
    }

    /** Default comma lists of the three axes; each command that has axes names its own. */
    abstract static class Defaults implements IDefaultValueProvider {
        private final String kernels;
        private final String parents;
        private final String policies;

        Defaults(String kernels, String parents, String policies) {
            this.kernels = kernels;
            this.parents = parents;
            this.policies = policies;
        }

        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec o)) {
                return null;
            }
            return switch (o.longestName()) {
                case "--kernel", "--kernels" -> kernels;
                case "--parent" -> parents;
                case "--policy" -> policies;
                case "--memory-backend" -> "default";
                case "--nics", "--queues" -> "1";
                default -> null;
            };
        }
    }
}
