package org.toyvm.cli;

import java.util.List;
import java.util.function.Function;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.experiment.ClockMode;
import org.toyvm.vm.experiment.RunConfig;

/** What matrix and sweep share: the base configuration of their cells, the bound on how many they run, and the failure check after them. */
final class Experiments {
    private Experiments() {
    }

    /** One reboot on the virtual clock with the in-process peer; kernel, parent and policy come from the plan. */
    static RunConfig base(long memoryBytes, GuestOptions guest, long defaultTimeoutNs) {
        return guest.resolve(defaultTimeoutNs).config(memoryBytes, KernelVersion.V6_12, ParentSpec.shipped(ParentKind.MLX5),
                ResetPolicy.PERSIST, 1, ClockMode.VIRTUAL, "local", 5_000_000_000L);
    }

    static void checkPlanSize(long runs) {
        if (runs > Bounds.PLAN_RUNS.max()) {
            throw new UsageException("the lists given make " + runs + " runs; at most " + Bounds.PLAN_RUNS.max()
                    + " per command");
        }
    }

    /**
     * A cell or point that failed inside its run makes the command fail (exit 1), after the report:
     * how many of {@code total} failed, and the first one's name and failure.
     */
    static <T> void checkNoFailure(List<T> failed, int total, String what, Function<T, String> describe)
            throws RunFailure {
        if (!failed.isEmpty()) {
            throw new RunFailure(failed.size() + " of " + total + " " + what + " failed inside the run; first "
                    + describe.apply(failed.get(0)));
        }
    }
}
