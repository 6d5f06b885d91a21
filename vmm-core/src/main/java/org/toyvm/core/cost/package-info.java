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
 * kernel generation have one key per generation rather than a hidden factor: {@code suspend},
 * {@code resume} and the MR figures are the Linux 6.12 ones, {@code *_serial} the ones before the
 * parallel series, {@code vq_create} the per-queue creation 6.11 took off DRIVER_OK; the parent that
 * knows its kernel picks the {@link org.toyvm.core.cost.CostKind}. Nothing here sleeps or reads a
 * clock.
 *
 * <p>Depends only on {@code org.toyvm.core.units}; must not depend on schedulers, devices or
 * anything above vmm-core.
 */
package org.toyvm.core.cost;
