/**
 * The fuzz campaign: one {@link org.toyvm.fuzz.Surface} per thing a guest, a userspace program or a
 * user controls (virtio-mmio registers, the split ring against the NIC, IOTLB messages and ioctls,
 * {@code toyvm uapi} scripts, wire frames, cost profiles, CLI argument vectors), each driven by
 * edge-biased random input against the real classes, with oracles checked on every input.
 *
 * <p>{@link org.toyvm.fuzz.SurfaceRunner} runs one surface with a per-input watchdog, counts
 * outcomes, and shrinks the first input of each distinct failure by dropping steps;
 * {@link org.toyvm.fuzz.FuzzCampaign} runs them all under one time budget and seed. The default
 * build runs each surface at a small fixed-seed count; {@code -Pfuzz} runs the campaign with a
 * random seed (README, "Fuzzing"). Findings and their regression tests: {@code docs/fuzz-findings.md}.
 */
package org.toyvm.fuzz;
