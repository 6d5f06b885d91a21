package org.toyvm.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code matrix}'s and {@code sweep}'s axes (docs/DESIGN.md §4): {@code --kernel}, {@code --parent} and
 * {@code --policy} take comma lists and the command runs their product. Each command gives its own
 * defaults through its default value provider (matrix: every value; sweep: 6.7, mlx5,
 * legacy,persist). sweep's former {@code --policies} is dropped: {@code --policy} is the contract's
 * name on every command.
 */
final class MachineAxes {
    @Option(names = "--kernel", paramLabel = "K[,K...]",
            description = "Kernel generations (comma list) (default: ${DEFAULT-VALUE}).")
    String kernels;

    @Option(names = "--parent", paramLabel = "P[,P...]",
            description = "vDPA parents: platform, mlx5, vdpa-sim (comma list) (default: ${DEFAULT-VALUE}).")
    String parents;

    @Option(names = "--policy", paramLabel = "POL[,POL...]",
            description = "Reset policies: legacy, persist, naive (comma list) (default: ${DEFAULT-VALUE}).")
    String policies;

    List<KernelVersion> kernels() {
        return list("--kernel", kernels, KernelVersion::parse);
    }

    List<ParentKind> parents() {
        return list("--parent", parents, ParentKind::parse);
    }

    List<ResetPolicy> policies() {
        return list("--policy", policies, ResetPolicy::parse);
    }

    /**
     * A comma list of values: no empty element (so {@code ","} is refused), no value twice, each parsed.
     *
     * @throws UsageException naming the option, the list and what is wrong
     */
    static <T> List<T> list(String option, String text, Function<String, T> parse) {
        if (text == null || text.isBlank()) {
            throw new UsageException("bad " + option + " '" + text + "': expected a comma-separated list");
        }
        String[] parts = text.split(",", -1);
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
                case "--kernel" -> kernels;
                case "--parent" -> parents;
                case "--policy" -> policies;
                default -> null;
            };
        }
    }
}
