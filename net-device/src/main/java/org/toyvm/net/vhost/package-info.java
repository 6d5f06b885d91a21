/**
 * The VMM's vhost-vdpa frontend: what QEMU's {@code net/vhost-vdpa.c}, {@code hw/net/vhost_net.c},
 * {@code hw/virtio/vhost.c}, {@code hw/virtio/virtio.c} and {@code hw/virtio/vhost-vdpa.c} do with a
 * {@code /dev/vhost-vdpa-N} device to run a virtio-net datapath — open and SET_OWNER, backend feature
 * negotiation, per-queue SET_VRING_*, the status sequence, SUSPEND (or a reset in its place), ring
 * bases and reset — in the order of one QEMU release ({@link org.toyvm.net.vhost.QemuVersion}: 9.0,
 * 9.2, 10.1, master; one predicate per change, docs/qemu-memory-and-vhost-vdpa.md §5), plus the reset
 * policy that decides whether IOTLB mappings survive a guest reset ({@code persist} is Si-Wei Liu's
 * unmerged series on top of the chosen release). {@link org.toyvm.net.vhost.VhostVdpaNet} has the
 * order of the callers, {@link org.toyvm.net.vhost.VhostVdpaOps} one method per vhost-vdpa.c function,
 * {@link org.toyvm.net.vhost.SuspendState} the per-device or shared "suspended" flag, and
 * {@link org.toyvm.net.vhost.VhostVdpaListener} the memory listener (vhost_vdpa_listener_region_add /
 * _del) that turns the guest's RAM sections into IOTLB UPDATE and INVALIDATE messages, batched: each
 * section goes Gpa → Iova (equal, no vIOMMU and no shadow virtqueues) and Gpa → Hva (its RAM block's
 * host address). One vhost device per queue pair plus one for the control queue share the fd, the
 * listener, the IOVA tree and the batch state: {@link org.toyvm.net.vhost.VhostNetStart} is
 * hw/net/vhost_net.c's start and stop order over them, {@link org.toyvm.net.vhost.CvqIsolationProbe}
 * net/vhost-vdpa.c's isolation probe at init, and {@link org.toyvm.net.vhost.ShadowCvq} the control
 * queue QEMU shadows in address space 1 (its bounce buffers, {@link org.toyvm.net.vhost.ShadowVring},
 * IOVAs from {@link org.toyvm.net.vhost.IovaTree}, the device model {@link org.toyvm.net.vhost.NetCtrlModel}
 * it replays at every start, and the guest's ring read as hostile input by
 * {@link org.toyvm.net.vhost.GuestCtrlRing}); docs/qemu-memory-and-vhost-vdpa.md §5.1. During a live
 * migration the data queues are shadowed too ({@link org.toyvm.net.vhost.ShadowDataVq}: QEMU's shadow
 * virtqueue of hw/virtio/vhost-shadow-virtqueue.c and vhost_vdpa_svq_* for a data queue;
 * docs/migration.md §2.1–2.3): the guest's ring read as hostile input with virtio.c's rules
 * ({@link org.toyvm.net.vhost.GuestDataRing}: virtqueue_split_pop, fill/flush, unpop, notification),
 * a ring of QEMU's own mapped for the device ({@link org.toyvm.net.vhost.ShadowDataRing}), and the
 * guest buffers' IOVAs given by {@link org.toyvm.net.vhost.GuestIova}. The switch itself is
 * {@code VhostVdpaNet.logGlobalEnable} (net/vhost-vdpa.c vhost_vdpa_net_log_global_enable: a full
 * vhost_net_stop and vhost_net_start whose vhost_vdpa_net_data_start reads the migration state);
 * {@link org.toyvm.net.vhost.DataShadows} holds a NIC's data SVQs and their descriptor-group ASID, the
 * listener then maps guest RAM at IOVAs from the NIC's tree (GPA-keyed, 10.0+) unless the descriptor
 * ASID keeps it at IOVA = GPA, {@link org.toyvm.net.vhost.VhostNetStart} keeps every queue's last avail
 * index across a stop (the vring base the next start and the migration stream use), and
 * {@link org.toyvm.net.vhost.MigrationTechniques} switches on Si-Wei Liu's early map, descriptor ASID
 * and batching on top of any release; {@link org.toyvm.net.vhost.LoadedRingCheck} is virtio_load's
 * check of a migrated index against the guest's rings.
 * {@link org.toyvm.net.vhost.FrontendCounters} counts what it did for the reports;
 * {@link org.toyvm.net.vhost.IotlbTraceSink} and {@link org.toyvm.net.vhost.IoctlTraceSink} see every
 * message and ioctl.
 *
 * <p>It implements {@link org.toyvm.net.device.VirtioNetBackend} and talks to the simulated kernel
 * only through the vhost-vdpa uAPI surface ({@code org.toyvm.vdpa.kernel} ioctls and
 * {@code org.toyvm.vdpa.uapi} messages); it must not reach into the kernel's parents, its IOTLB or the
 * NIC hardware, and nothing below it (kernel, hardware, memory API) may depend on it.
 */
package org.toyvm.net.vhost;
