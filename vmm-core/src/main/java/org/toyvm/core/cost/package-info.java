/**
 * The cost model: what the simulated hardware and kernel charge for their work. A
 * {@link org.toyvm.core.cost.CostProfile} holds one figure per {@link org.toyvm.core.cost.CostKind}
 * (pinning and unpinning per page, IOMMU map per page, mlx5 MR build per GiB, one IOTLB write, one
 * ioctl, suspend, resume, device reset, guest boot, wire latency), read from a name ({@code default},
 * {@code zero}) or a profile file with a range per key; a {@link org.toyvm.core.cost.CostMeter}
 * accumulates what one caller's calls charged, and the caller turns the sum into virtual time or a
 * scheduled delay (docs/DESIGN.md §3).
 *
 * <p>The {@code default} figures come from published measurements of QEMU and mlx5_vdpa
 * (docs/measurements.md); what nobody published is named an assumption. Costs that changed with a
 * kernel generation have one key per generation rather than a hidden factor: mlx5's suspend and
 * resume are charged per virtqueue ({@code suspend_vq_serial}, {@code resume_vq_serial} before 6.12;
 * from 6.12 one parallel batch, {@code suspend_batch} / {@code resume_batch}, plus {@code suspend_vq} /
 * {@code resume_vq} per further virtqueue), the MR figures are the Linux 6.12 ones and {@code *_serial}
 * the ones before the parallel series, {@code vq_create} the per-queue creation 6.11 took off
 * DRIVER_OK; {@code suspend} and {@code resume} are the whole-device figures of the other parents. The
 * parent that knows its kernel and its virtqueues picks the {@link org.toyvm.core.cost.CostKind} and
 * the count. Nothing here sleeps or reads a clock.
 *
 * <p>Depends only on {@code org.toyvm.core.units}; must not depend on schedulers, devices or
 * anything above vmm-core.
 */
package org.toyvm.core.cost;
