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
 *
 * <p>What it models is an attacker at each boundary of docs/bad-input.md, in the manner of rust-vmm's
 * and crosvm's virtqueue fuzz targets and syzkaller's ioctl descriptions: the oracles are the
 * defined outcomes of that file (nothing thrown, no hang, no leaked buffer or pin, no access outside a
 * mapping, the kernel's errno). It sits on top of the application and may use every module; nothing
 * depends on it, and it never replaces a class under test with a double.
 */
package org.toyvm.fuzz;
