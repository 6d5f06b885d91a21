package org.toyvm.vdpa.kernel;

import static org.toyvm.vdpa.uapi.VhostUapi.VDPA_RESET_F_CLEAN_MAP;
import static org.toyvm.vdpa.uapi.VhostUapi.VIRTIO_ID_NET;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.uapi.Errno;

/**
 * {@code /dev/vhost-vdpa-N}: the character device vhost-vdpa gives userspace, with the kernel's
 * semantics and errno values for the generation it models (see docs/linux-vhost-vdpa.md).
 *
 * <p>It keeps its own per-ASID IOTLB (what userspace mapped) and the pins, and hands mappings to the
 * parent the way the parent's {@link MappingStyle} says ({@code dma_map}, {@code set_map}, or the
 * platform IOMMU). Resets never touch the table or the pins — only the parent's copy can be lost,
 * and then the two views disagree: an UPDATE of a range still in the table fails (EEXIST inside,
 * EFAULT to userspace).
 *
 * <p>This class is the surface userspace calls; each job is a part: {@link DeviceGate} (open/owner
 * state and the entry checks of every ioctl), {@link BackendFeatures}, {@link VringIoctls},
 * {@link IotlbMessageHandler} (write(2): UPDATE / INVALIDATE / BATCH), {@link PinAccounting},
 * {@link ParentMapper} and {@link DeviceFaults} (the device's DMA faults, which never reach
 * userspace: read(2) is EINVAL). Work charges modelled time to the
 * process's {@link CostMeter}: one IOTLB write or ioctl per call, pinning per page, the parent's costs.
 *
 * <p>Userspace input is hostile: every argument is taken at its uAPI width (u32 fields as the bits
 * of an {@code int} compared unsigned, u8 as the low byte, u64 as {@code long} compared unsigned)
 * and no value makes a method throw. What each call can return ({@code rc} 0 or a value, else -1
 * with the errno; a write returns 72 or -1):
 * <pre>
 *  any ioctl on a closed fd                 EINVAL
 *  open                                     EBUSY (already open)
 *  SET_OWNER                                EBUSY (second call)
 *  SET_FEATURES                             EBUSY (FEATURES_OK set), EINVAL (no ACCESS_PLATFORM for a
 *                                           parent that requires it)
 *  SET_BACKEND_FEATURES                     EOPNOTSUPP (unknown bit for the version, op missing),
 *                                           EINVAL (DESC_ASID w/o ASID)
 *  SET_STATUS (u8)                          EINVAL (non-zero value clearing set bits)
 *  GET/SET_CONFIG (u32 off, len)            EINVAL (len 0, off past the end, len past the end), EFAULT (no buffer)
 *  vring ioctls (index = u32)               EPERM (no SET_OWNER), ENOBUFS (index >= queues), then each
 *                                           its own ({@link VringIoctls})
 *  SUSPEND / RESUME                         EOPNOTSUPP (no op); RESUME before 6.4: the unknown-ioctl
 *                                           path (EPERM without owner, else ENOTTY)
 *  read                                     EINVAL (always: no read_iter); poll: readable at once
 *  write                                    EINVAL (closed, fewer than 40 bytes, unknown envelope,
 *                                           UPDATE of size 0), EFAULT (no buffer, and every refusal of
 *                                           the message handler: {@link WriteResult#innerErrno()} and
 *                                           {@link IotlbFailure} keep the reason)
 * </pre>
 */
public final class VhostVdpaDevice {
    private final String name;
    private final KernelVersion version;
    private final VdpaParent parent;
    private final VirtioNetHardware hw;
    private final KernelCounters counters;
    private final ParentMapper mapper;
    private final DeviceGate gate;
    private final BackendFeatures backend;
    private final IotlbMessageHandler iotlb;
    private final VringIoctls vrings;
    private final DeviceFaults faults = new DeviceFaults();
    private WriteResult lastWrite = WriteResult.OK;
    private final ConfigIoctls config;
    private final SuspendIoctls suspendResume;
    private final HostAddressSpace mm;
    private final CostMeter meter;

    public VhostVdpaDevice(String name, KernelVersion version, VdpaParent parent, HostAddressSpace mm, CostMeter meter,
            KernelCounters counters) {
        this.name = name;
        this.version = version;
        this.parent = parent;
        this.mm = mm;
        this.meter = meter;
        this.hw = parent.hardware();
        this.counters = counters;
        this.mapper = ParentMapper.of(parent.mappingStyle());
        this.gate = new DeviceGate(hw, meter);
        this.backend = new BackendFeatures(version, parent, mapper);
        this.vrings = new VringIoctls(version, hw, parent, gate);
        this.config = new ConfigIoctls(hw, gate);
        this.suspendResume = new SuspendIoctls(version, parent, gate);
        // vdpa_device.use_va is fixed when the parent creates the device (vdpa_alloc_device).
        UserMapping mapping = parent.usesVa() ? new UserMapping.Va(mm) : new UserMapping.Pa(new PinAccounting(mm, meter,
                counters));
        this.iotlb = new IotlbMessageHandler(name, parent.numAddressSpaces(), gate, backend, mapper, mapping, meter,
                counters, this::iovaRange);
    }

    public String name() {
        return name;
    }

    public KernelVersion version() {
        return version;
    }

    public VdpaParent parent() {
        return parent;
    }

    public KernelCounters counters() {
        return counters;
    }

    /** The address space of the process that opened the device (its {@code current->mm}: where uaddrs point). */
    public HostAddressSpace processMemory() {
        return mm;
    }

    public boolean isOpen() {
        return gate.isOpen();
    }

    /** vhost-vdpa's own table for {@code asid}, or null when that address space does not exist. */
    public VhostIotlb iotlb(int asid) {
        return iotlb.table(asid);
    }

    /** A human-readable detail of the last failure (for logs and the console). */
    public String lastDetail() {
        return gate.lastDetail();
    }

    public long ackedBackendFeatures() {
        return backend.acked();
    }

    public boolean persistAcked() {
        return backend.persistAcked();
    }

    /** What GET_BACKEND_FEATURES offers (never the acked set). */
    public long offeredBackendFeatures() {
        return backend.offered();
    }

    /**
     * The IOVA range (vhost_vdpa_set_iova_range): the parent's {@code get_iova_range}, else the IOMMU
     * domain's aperture, else everything.
     */
    public AddrRange iovaRange() {
        AddrRange r = parent.iovaRange();
        return r != null ? r : mapper.fallbackIovaRange();
    }

    // ---------------------------------------------------------------- open / release

    /** open(2). A second open while open is EBUSY. Opening resets the device (plain reset). */
    public IoctlResult open() {
        if (gate.isOpen()) {
            return IoctlResult.fail(Errno.EBUSY);
        }
        gate.open();
        backend.clear();
        iotlb.dropBatch();
        parent.reset(); // no virtqueue features yet: a plain reset, no flags
        return IoctlResult.OK;
    }

    /**
     * close(2) (vhost_vdpa_release): reset (cleaning the map unless IOTLB_PERSIST was acked), then for
     * every address space that exists unmap everything (every pin returned) and reset_map if the parent
     * has it.
     */
    public IoctlResult close() {
        if (!gate.isOpen()) {
            return IoctlResult.fail(Errno.EINVAL);
        }
        iotlb.dropBatch();
        compatReset();
        for (int asid = 0; asid < iotlb.numAddressSpaces(); asid++) {
            // vhost_vdpa_cleanup (6.7+) walks only the address spaces that exist (asid_to_as): reset_map
            // is called from vhost_vdpa_remove_as, so an ASID never written to keeps what it had.
            boolean exists = iotlb.table(asid) != null;
            iotlb.release(asid);
            if (exists && version.hasIotlbPersist() && parent.hasResetMap()) {
                parent.resetMap(asid);
            }
        }
        gate.release();
        backend.clear();
        return IoctlResult.OK;
    }

    /** _compat_vdpa_reset of SET_STATUS(0) and release: CLEAN_MAP unless IOTLB_PERSIST was acked (6.7+). */
    private void compatReset() {
        int flags = version.hasIotlbPersist() && !backend.persistAcked() ? VDPA_RESET_F_CLEAN_MAP : 0;
        if (flags != 0 && parent.hasCompatReset()) {
            parent.compatReset(flags);
        } else {
            parent.reset();
        }
    }

    // ---------------------------------------------------------------- device ioctls

    /** VHOST_SET_OWNER: a second call is EBUSY. */
    public IoctlResult setOwner() {
        return gate.dispatch(VhostIoctl.VHOST_SET_OWNER, gate::setOwner);
    }

    public IoctlResult getFeatures() {
        return gate.dispatch(VhostIoctl.VHOST_GET_FEATURES, () -> IoctlResult.ok(hw.deviceFeatures()));
    }

    /**
     * VHOST_SET_FEATURES (vhost_vdpa_set_features, v6.1 and v6.12): EBUSY once FEATURES_OK is set;
     * then {@code vdpa_set_features}, whose failure is EINVAL — vdpa_sim and mlx5_vdpa refuse a set
     * without ACCESS_PLATFORM (VERSION_1 alone is refused, ACCESS_PLATFORM alone accepted).
     */
    public IoctlResult setFeatures(long features) {
        return gate.dispatch(VhostIoctl.VHOST_SET_FEATURES, () -> {
            if ((hw.status() & VirtioStatus.FEATURES_OK) != 0) {
                return gate.fail(Errno.EBUSY, "FEATURES_OK already set");
            }
            if (parent.requiresAccessPlatform()
                    && (features & VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM)) == 0) {
                return gate.fail(Errno.EINVAL, "the parent's set_driver_features refuses "
                        + U64.hex(features) + ": no ACCESS_PLATFORM");
            }
            hw.setDriverFeatures(features);
            return IoctlResult.OK;
        });
    }

    public IoctlResult getBackendFeatures() {
        return gate.dispatch(VhostIoctl.VHOST_GET_BACKEND_FEATURES, () -> IoctlResult.ok(backend.offered()));
    }

    /** VHOST_SET_BACKEND_FEATURES with the checks of {@link BackendFeatures#ack}. */
    public IoctlResult setBackendFeatures(long features) {
        return gate.dispatch(VhostIoctl.VHOST_SET_BACKEND_FEATURES, () -> backend.ack(features, gate));
    }

    public IoctlResult getDeviceId() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_DEVICE_ID, () -> IoctlResult.ok(VIRTIO_ID_NET));
    }

    public IoctlResult getStatus() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_STATUS, () -> IoctlResult.ok(hw.status()));
    }

    /**
     * VHOST_VDPA_SET_STATUS: a non-zero status that clears bits already set is EINVAL; 0 resets the
     * device through {@code _compat_vdpa_reset} (which does not leave a batch).
     *
     * <p>The argument is a {@code u8} (vhost_vdpa_set_status copies one byte): only the low byte of
     * {@code value} is read, as the kernel reads the first byte of a wider little-endian variable.
     */
    public IoctlResult setStatus(int value) {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_SET_STATUS, () -> {
            int status = value & 0xff;
            int old = hw.status();
            if (status != 0 && (old & ~status) != 0) {
                return gate.fail(Errno.EINVAL, "status " + U64.hex(status) + " clears bits of " + U64.hex(old));
            }
            if (status == 0) {
                compatReset();
            } else {
                hw.setStatus(status);
            }
            return IoctlResult.OK;
        });
    }

    /** VHOST_VDPA_GET_CONFIG: {@code off} is the u32 (its bits in an int), {@code len} is {@code buf.length}. */
    public IoctlResult getConfig(int offset, byte[] buf) {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_CONFIG, () -> config.access(offset, buf, false));
    }

    /** VHOST_VDPA_SET_CONFIG, with the checks of {@link ConfigIoctls}. */
    public IoctlResult setConfig(int offset, byte[] buf) {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_SET_CONFIG, () -> config.access(offset, buf, true));
    }

    public IoctlResult getVringNum() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_VRING_NUM, () -> IoctlResult.ok(hw.maxQueueSize()));
    }

    /** VHOST_VDPA_GET_IOVA_RANGE: the range itself is {@link #iovaRange()}. */
    public IoctlResult getIovaRange() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_IOVA_RANGE, () -> IoctlResult.OK);
    }

    public IoctlResult getConfigSize() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_CONFIG_SIZE, () -> IoctlResult.ok(hw.configSize()));
    }

    public IoctlResult getVqsCount() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_VQS_COUNT, () -> IoctlResult.ok(hw.numQueues()));
    }

    public IoctlResult getAsNum() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_AS_NUM, () -> IoctlResult.ok(parent.numAddressSpaces()));
    }

    public IoctlResult getGroupNum() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_GROUP_NUM, () -> IoctlResult.ok(parent.numGroups()));
    }

    /** VHOST_VDPA_SUSPEND ({@link SuspendIoctls}). */
    public IoctlResult suspend() {
        return suspendResume.suspend();
    }

    /** VHOST_VDPA_RESUME; before 6.4 an unknown ioctl ({@link SuspendIoctls#resume}). */
    public IoctlResult resume() {
        return suspendResume.resume();
    }

    // ---------------------------------------------------------------- vring ioctls (see VringIoctls)

    public IoctlResult setVringNum(int index, int num) {
        return vrings.setVringNum(index, num);
    }

    /** VHOST_SET_VRING_ADDR: the ring areas as the device sees them (IOVAs). */
    public IoctlResult setVringAddr(int index, Iova desc, Iova avail, Iova used) {
        return vrings.setVringAddr(index, desc, avail, used);
    }

    public IoctlResult setVringBase(int index, int base) {
        return vrings.setVringBase(index, base);
    }

    public IoctlResult getVringBase(int index) {
        return vrings.getVringBase(index);
    }

    public IoctlResult setVringKick(int index) {
        return vrings.setVringKick(index);
    }

    public IoctlResult setVringCall(int index) {
        return vrings.setVringCall(index);
    }

    public IoctlResult setVringEnable(int index, boolean enable) {
        return vrings.setVringEnable(index, enable);
    }

    public IoctlResult setVringEnable(int index, int num) {
        return vrings.setVringEnable(index, num);
    }

    public IoctlResult getVringGroup(int index) {
        return vrings.getVringGroup(index);
    }

    /** VHOST_VDPA_GET_VRING_DESC_GROUP (6.7+): the group of vq {@code index}'s rings ({@link VringIoctls}). */
    public IoctlResult getVringDescGroup(int index) {
        return vrings.getVringDescGroup(index);
    }

    public IoctlResult setGroupAsid(int group, int asid) {
        return vrings.setGroupAsid(group, asid);
    }

    // ---------------------------------------------------------------- kick eventfd

    /**
     * A write to the kick eventfd userspace gave virtqueue {@code index} with SET_VRING_KICK (QEMU's
     * shadow virtqueue kicks this way): vhost-vdpa's {@code handle_vq_kick} calls the parent's
     * {@code kick_vq}. Not an ioctl. An index the device does not have, or a closed fd, does nothing
     * (there would be no eventfd to write).
     */
    public void kick(int index) {
        if (gate.isOpen() && Integer.compareUnsigned(index, hw.numQueues()) < 0) {
            hw.kick(index);
        }
    }

    /**
     * Userspace busy-waiting on the used ring of virtqueue {@code index}, a ring in its own memory the
     * device writes (QEMU's {@code vhost_svq_poll}): no syscall; the wait lasts until the device has
     * processed what the kick gave it, which the model runs now ({@link VirtioNetHardware#runQueueNow}).
     * The wait is charged to the process's meter: {@code commands} shadow control queue round trips
     * ({@link CostKind#CVQ_COMMAND}).
     */
    public void awaitUsed(int index, int commands) {
        meter.chargeUnits(CostKind.CVQ_COMMAND, Math.max(0, commands));
        if (gate.isOpen() && Integer.compareUnsigned(index, hw.numQueues()) < 0) {
            hw.runQueueNow(index);
        }
    }

    // ---------------------------------------------------------------- write / read

    /** write(2) of a whole buffer. */
    public WriteResult write(byte[] bytes) {
        return write(bytes, bytes == null ? 0 : bytes.length);
    }

    /** write(2) of {@code len} bytes: a {@code struct vhost_msg_v2} (or v1); see {@link IotlbMessageHandler}. */
    public WriteResult write(byte[] bytes, int count) {
        lastWrite = iotlb.write(bytes, count);
        return lastWrite;
    }

    /** The last write(2)'s result with the handler's inner errno and reason (userspace sees only EFAULT). */
    public WriteResult lastWrite() {
        return lastWrite;
    }

    /**
     * A device DMA at the u64 {@code iova} found no mapping ({@code accessFail}: the wrong permission).
     * Real vhost-vdpa never learns of it (no read path, {@link DeviceFaults}): counted, nothing to read.
     */
    public void postIotlbFault(int asid, long iova, int perm, boolean accessFail) {
        faults.record(asid, iova, perm, accessFail);
    }

    /** Device DMA faults without a mapping ({@link #postIotlbFault}). */
    public long deviceMisses() {
        return faults.misses();
    }

    /** Device DMA faults against a mapping's permission. */
    public long deviceAccessFailures() {
        return faults.accessFailures();
    }

    /** read(2): vhost_vdpa_fops has no {@code read_iter} (v6.1, v6.12), so vfs_read is EINVAL, always. */
    public IoctlResult read(int count) {
        return IoctlResult.fail(Errno.EINVAL);
    }

    /** poll(2): no {@code poll} op, so vfs_poll answers {@link #DEFAULT_POLLMASK} at once (readable). */
    public int poll() {
        return DEFAULT_POLLMASK;
    }

    /** EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM (include/linux/poll.h). */
    public static final int DEFAULT_POLLMASK = 0x001 | 0x004 | 0x040 | 0x100;
}
