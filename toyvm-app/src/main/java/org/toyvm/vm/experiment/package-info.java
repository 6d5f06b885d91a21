/**
 * Experiments and their measurement: one run with reboots on the virtual clock
 * ({@link org.toyvm.vm.experiment.RebootExperiment}) or the real one
 * ({@link org.toyvm.vm.experiment.LiveRun}), the compatibility matrix and the memory sweep
 * ({@link org.toyvm.vm.experiment.Matrix}), all configured by a checked
 * {@link org.toyvm.vm.experiment.RunConfig}. A matrix or sweep runs each cell once per machine shape
 * ({@link org.toyvm.vm.experiment.ShapeAxes}: memory backend × NICs × queue pairs), each cell's
 * {@code default} backend resolved for its own parent ({@link org.toyvm.vm.experiment.BackendChoice}:
 * thp in PA mode, memfd in VA mode, as QEMU users of those parents back guest RAM).
 *
 * <p>What is measured is decided here once, for both clocks (docs/DESIGN.md §3): the reset instant
 * is the guest's status-0 write reaching the device; connectivity is back at the first echo reply
 * to a request the peer sent after it ({@code PeerRecorder}) — with several queue pairs, on every
 * pair's flow ({@code PeerFlows}: one ping flow per pair, its ICMP id picked against the NIC's flow
 * hash), each pair's time reported; downtime runs from the last reply
 * before the reset; the vCPU freeze is what the VMM and kernel charged while the guest was stalled
 * in a register write. Counters of the frontend, the kernel model and the NIC are taken as
 * differences over the reboot's window, and {@code RebootStory} explains each reboot only from what
 * was observed. This is the role QEMU's own tests and a human with {@code ping} would play.
 *
 * <p>Depends on the machine, the guest and the layers below; must not depend on the CLI or on
 * picocli, so that tests and benchmarks run experiments directly.
 */
package org.toyvm.vm.experiment;
