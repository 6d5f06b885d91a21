/**
 * The JMH benchmarks: thin JMH wrappers ({@code DatapathBenchmark}, {@code IotlbBenchmark},
 * {@code ListenerBenchmark}, {@code RebootBenchmark}) around the workloads of
 * {@code org.toyvm.vm.bench}, each with its baseline in the same class — a second benchmark method, or
 * the small value of a size parameter — so that one JMH run measures both on the same machine at the
 * same time and the ratio is the figure
 * (the README's performance table; {@code -prof gc} for allocation per operation).
 *
 * <p>The baselines do the same job the plainest way — a copy of the same bytes, Guava's
 * {@code TreeRangeMap} over the same entries, the same topology at a tenth of the size, the same
 * reboot of a small guest — so that a goal is stated as a ratio, not as an absolute number that
 * depends on the machine.
 *
 * <p>Depends on the application's workloads and JMH; nothing depends on it, and no workload code
 * lives here (it is shared with {@code toyvm bench}).
 */
package org.toyvm.bench;
