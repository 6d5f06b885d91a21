/**
 * vhost-vdpa, drivers/vhost/vdpa.c: the {@code /dev/vhost-vdpa-N} character device userspace opens
 * ({@link org.toyvm.vdpa.kernel.VhostVdpaDevice}), with the kernel's ioctl semantics and errno values
 * for the generation it models. Its parts each do one job: the open/owner gate every ioctl passes
 * once (vhost_vdpa_unlocked_ioctl, vhost_dev_check_owner), the vring ioctls, the backend features,
 * the IOTLB message handler of write(2) (vhost_vdpa_process_iotlb_msg: UPDATE, INVALIDATE, BATCH),
 * the user mapping of an UPDATE by the parent's use_va (vhost_vdpa_pa_map: whole pages pinned
 * against RLIMIT_MEMLOCK; vhost_vdpa_va_map: exact, per VMA, unpinned), the per-style parent mapper
 * (vhost_vdpa_map / vhost_vdpa_general_unmap), and the device's DMA faults, which are counted and
 * traced because vhost-vdpa has no read path (read(2) is EINVAL, poll(2) readable). Behaviour that
 * changed between 6.1 and 6.12 asks a {@link org.toyvm.vdpa.bus.KernelVersion} predicate; each
 * rule names the function and version it was read in (docs/linux-vhost-vdpa.md).
 *
 * <p>It depends on {@code bus}, {@code iotlb}, {@code uapi}, vmm-core and hw-api. It must not import
 * {@code org.toyvm.vdpa.parent}: a parent is reached only as a {@link org.toyvm.vdpa.bus.VdpaParent}
 * and its {@link org.toyvm.vdpa.bus.MappingStyle}, never by class.
 */
package org.toyvm.vdpa.kernel;
