/**
 * The performance workloads, each beside an honest baseline that does the same job the plainest way
 * in the same run: the datapath (a frame TX → reflector → RX through rings and DMA translation,
 * against a plain copy of the same bytes), IOTLB lookups ({@code VhostIotlb} against Guava's
 * {@code TreeRangeMap} with the same entries), a listener commit after a hotplug (10k sections
 * against 1k), and a whole reboot run (a large guest against a small one).
 * {@link org.toyvm.vm.bench.Bench} runs short versions for {@code toyvm bench} and reports the ratio
 * against its goal; the JMH benchmarks ({@code org.toyvm.bench}) run the same workloads.
 *
 * <p>Workloads drive the real classes (the NIC through its DMA translation, {@code VhostIotlb}, the
 * memory system, a whole machine), never a copy of them, so a figure is the product's. No timing is
 * asserted anywhere: these figures are reported, not tested.
 *
 * <p>May depend on every layer of the machine; must not depend on the CLI or JMH (the benchmarks
 * module wraps these workloads, not the other way round).
 */
package org.toyvm.vm.bench;
