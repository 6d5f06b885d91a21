/**
 * The {@code toyvm} command line (picocli): {@code run}, {@code matrix}, {@code sweep},
 * {@code bench} and {@code uapi}, with {@link org.toyvm.cli.Main} mapping outcomes to exit codes
 * (0 done, 1 a failure inside a run, 2 a user error — one line, naming the option, the value and
 * what is accepted; docs/DESIGN.md §6).
 *
 * <p>Options are declared once and shared through mixins: {@code GuestMemory} ({@code --memory} of
 * run and matrix), {@code KernelAndParent} ({@code --kernel}, {@code --parent} of run and uapi),
 * {@code MachineChoice} (run's machine), {@code MachineShape} (run's one memory backend, NIC count and
 * queue pair count), {@code MachineAxes} (the comma lists of kernels, parents, policies, memory backends,
 * NICs and queue pairs on matrix and sweep), {@code GuestOptions}, {@code LiveOptions}, {@code ReportOptions},
 * {@code PlotOptions}, {@code LoggingOptions}. Closed choices are
 * {@link org.toyvm.core.units.Labelled} enums converted by one generic converter; every time, size
 * and count is checked against its documented range ({@code Bounds}) before anything runs.
 * {@code --netdev} takes QEMU's own {@code -netdev dgram}/{@code stream} syntax.
 *
 * <p>The top of the application: nothing in the product depends on this package (the fuzz campaign
 * and the tests call {@link org.toyvm.cli.Main} from outside), and it holds no behaviour of the
 * machine — it resolves options into a {@link org.toyvm.vm.experiment.RunConfig} and hands over to
 * {@code vm.experiment}, {@code vm.bench} and {@code vm.uapi}.
 */
package org.toyvm.cli;
