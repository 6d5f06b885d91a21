package org.toyvm.vdpa.kernel;

import static org.toyvm.vdpa.uapi.VhostUapi.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.parent.PlatformIommuParent;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;

/**
 * {@code /dev/vhost-vdpa-N}: the character device vhost-vdpa gives userspace, with the kernel's
 * semantics and errno values for the generation it models (see linux-vhost-vdpa.md).
 *
 * <p>It keeps its own per-ASID IOTLB (what userspace mapped) and the pins, and hands mappings to the
 * parent ({@code dma_map}, {@code set_map}, or the platform IOMMU). Resets never touch the table or
 * the pins — only the parent's copy can be lost, and then the two views disagree: an UPDATE of a
 * range still in the table fails (EEXIST inside, EFAULT to userspace).
 *
 * <p>Pinning is per physically contiguous run of the backing RAM block ({@link RamBlock#physRunSize()}):
 * each run becomes one IOTLB entry and one parent call, and is recorded as a range on the block's pin
 * ledger and in the process's pinned count — never page by page.
 *
 * <p>Work charges modelled time to the process's {@link CostMeter}: one IOTLB write or ioctl per
 * call, pinning and unpinning per page, and the parent's own costs.
 *
 * <p>Userspace input is hostile: every argument is taken at its uAPI width (u32 fields as the bits
 * of an {@code int} compared unsigned, u8 as the low byte, u64 as {@code long} compared unsigned)
 * and no value makes a method throw. What each call can return ({@code rc} 0 or a value, else -1
 * with the errno; a write returns 72 or -1):
 * <pre>
 *  any ioctl on a closed fd                 EINVAL
 *  open                                     EBUSY (already open)
 *  SET_OWNER                                EBUSY (second call)
 *  SET_FEATURES                             EBUSY (FEATURES_OK set)
 *  SET_BACKEND_FEATURES                     EOPNOTSUPP (unknown bit, op missing), EINVAL (DESC_ASID w/o ASID)
 *  SET_STATUS (u8)                          EINVAL (non-zero value clearing set bits)
 *  GET/SET_CONFIG (u32 off, len)            EINVAL (len 0, off past the end, len past the end), EFAULT (no buffer)
 *  vring ioctls: SET_VRING_NUM/ADDR/BASE,   EPERM (no SET_OWNER), ENOBUFS (u32 index >= queues), then:
 *   GET_VRING_BASE, SET_VRING_KICK/CALL,      NUM: EINVAL (0, > 0xffff, not a power of two, > max);
 *   VDPA_SET_VRING_ENABLE, GET_VRING_GROUP,   ADDR/BASE: EINVAL (DRIVER_OK and not suspended);
 *   VDPA_SET_GROUP_ASID (index = group)        ADDR: EINVAL (avail not 2-, used not 4-aligned);
 *                                              BASE: EINVAL (> 0xffff);
 *                                              SET_GROUP_ASID: EINVAL (asid >= nas), EOPNOTSUPP (no op),
 *                                              EINVAL (group >= groups)
 *  SUSPEND / RESUME                         EOPNOTSUPP (no op)
 *  write                                    EINVAL (closed, fewer than 40 bytes, unknown envelope,
 *                                           UPDATE of size 0), EFAULT (no buffer, and every refusal of
 *                                           the message handler: {@link WriteResult#innerErrno()} and
 *                                           {@link IotlbFailure} keep the reason)
 * </pre>
 */
public final class VhostVdpaDevice {
    private static final Logger LOG = LogManager.getLogger(VhostVdpaDevice.class);
    private static final Logger TRACE = LogManager.getLogger("trace.vhost_vdpa_kernel");
    private static final int MAX_READ_QUEUE = 64;
    private static final long ALWAYS_OFFERED = bit(F_IOTLB_MSG_V2) | bit(F_IOTLB_BATCH) | bit(F_IOTLB_ASID);

    private final String name;
    private final KernelVersion version;
    private final VdpaParent parent;
    private final VirtioNetHardware hw;
    private final HostAddressSpace mm;
    private final CostMeter meter;
    private final KernelCounters counters;
    private final VhostIotlb[] asTables;
    private final ArrayDeque<byte[]> readQueue = new ArrayDeque<>();

    private boolean open;
    private boolean owned;
    private long ackedBackend;
    private boolean inBatch;
    private int batchAsid;
    private long readQueueDropped;
    private String lastDetail = "";

    public VhostVdpaDevice(String name, KernelVersion version, VdpaParent parent, HostAddressSpace mm, CostMeter meter,
            KernelCounters counters) {
        this.name = name;
        this.version = version;
        this.parent = parent;
        this.hw = parent.hardware();
        this.mm = mm;
        this.meter = meter;
        this.counters = counters;
        this.asTables = new VhostIotlb[parent.numAddressSpaces()];
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

    public boolean isOpen() {
        return open;
    }

    /** vhost-vdpa's own table for {@code asid}, or null when that address space does not exist. */
    public VhostIotlb iotlb(int asid) {
        return Integer.compareUnsigned(asid, asTables.length) < 0 ? asTables[asid] : null;
    }

    /** A human-readable detail of the last failure (for logs and the console). */
    public String lastDetail() {
        return lastDetail;
    }

    public long ackedBackendFeatures() {
        return ackedBackend;
    }

    public boolean persistAcked() {
        return version.hasIotlbPersist() && (ackedBackend & bit(F_IOTLB_PERSIST)) != 0;
    }

    /** True when the parent keeps its mappings across reset if asked (the kernel's has_persistent_map). */
    public boolean hasPersistentMap() {
        return (!parent.hasSetMap() && !parent.hasDmaMap()) || parent.hasResetMap() || parent.advertisesPersist();
    }

    // ---------------------------------------------------------------- open / release

    /** open(2). A second open while open is EBUSY. Opening resets the device (plain reset). */
    public IoctlResult open() {
        if (open) {
            return IoctlResult.fail(Errno.EBUSY);
        }
        open = true;
        owned = false;
        ackedBackend = 0;
        inBatch = false;
        parent.reset(); // no virtqueue features yet: a plain reset, no flags
        return IoctlResult.OK;
    }

    /**
     * close(2) (release): reset (cleaning the map unless IOTLB_PERSIST was acked), then for every
     * address space unmap everything (every pin returned) and reset_map if the parent has it.
     */
    public IoctlResult close() {
        if (!open) {
            return IoctlResult.fail(Errno.EINVAL);
        }
        inBatch = false;
        compatReset();
        for (int asid = 0; asid < asTables.length; asid++) {
            if (asTables[asid] != null) {
                unmapRange(asid, 0, U64.MAX);
                asTables[asid] = null;
            }
            if (version.hasIotlbPersist() && parent.hasResetMap()) {
                parent.resetMap(asid);
            }
        }
        open = false;
        owned = false;
        ackedBackend = 0;
        return IoctlResult.OK;
    }

    /** The reset of SET_STATUS(0) and release: CLEAN_MAP unless IOTLB_PERSIST was acked (6.7+). */
    private void compatReset() {
        int flags = version.hasIotlbPersist() && !persistAcked() ? VDPA_RESET_F_CLEAN_MAP : 0;
        if (flags != 0 && parent.hasCompatReset()) {
            parent.compatReset(flags);
        } else {
            parent.reset();
        }
    }

    // ---------------------------------------------------------------- ioctls

    private IoctlResult ioctl() {
        meter.chargeUnits(CostKind.IOCTL, 1);
        return open ? null : IoctlResult.fail(Errno.EINVAL);
    }

    private IoctlResult fail(Errno e, String detail) {
        lastDetail = detail;
        return IoctlResult.fail(e);
    }

    /** VHOST_SET_OWNER: a second call is EBUSY. */
    public IoctlResult setOwner() {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        if (owned) {
            return fail(Errno.EBUSY, "owner already set");
        }
        owned = true;
        return IoctlResult.OK;
    }

    public IoctlResult getFeatures() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(hw.deviceFeatures());
    }

    /** VHOST_SET_FEATURES: EBUSY once FEATURES_OK is set. */
    public IoctlResult setFeatures(long features) {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        if ((hw.status() & 8) != 0) {
            return fail(Errno.EBUSY, "FEATURES_OK already set");
        }
        hw.setDriverFeatures(features);
        return IoctlResult.OK;
    }

    /** What GET_BACKEND_FEATURES offers (never the acked set). */
    public long offeredBackendFeatures() {
        long f = ALWAYS_OFFERED;
        if (parent.hasSuspend()) {
            f |= bit(F_SUSPEND);
        }
        if (parent.hasResume()) {
            f |= bit(F_RESUME);
        }
        if (parent.hasDescGroup()) {
            f |= bit(F_DESC_ASID);
        }
        f |= parent.extraBackendFeatures();
        if (version.hasIotlbPersist() && hasPersistentMap()) {
            f |= bit(F_IOTLB_PERSIST);
        }
        return f;
    }

    public IoctlResult getBackendFeatures() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(offeredBackendFeatures());
    }

    /** VHOST_SET_BACKEND_FEATURES with the checks of linux-vhost-vdpa.md §2. */
    public IoctlResult setBackendFeatures(long features) {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        long ackable = ALWAYS_OFFERED | bit(F_DESC_ASID) | bit(F_SUSPEND) | bit(F_RESUME)
                | bit(F_ENABLE_AFTER_DRIVER_OK) | (version.hasIotlbPersist() ? bit(F_IOTLB_PERSIST) : 0);
        if ((features & ~ackable) != 0) {
            return fail(Errno.EOPNOTSUPP, "unknown backend feature bits " + U64.hex(features & ~ackable));
        }
        if ((features & bit(F_SUSPEND)) != 0 && !parent.hasSuspend()) {
            return fail(Errno.EOPNOTSUPP, "SUSPEND without a suspend op");
        }
        if ((features & bit(F_RESUME)) != 0 && !parent.hasResume()) {
            return fail(Errno.EOPNOTSUPP, "RESUME without a resume op");
        }
        if ((features & bit(F_DESC_ASID)) != 0 && (features & bit(F_IOTLB_ASID)) == 0) {
            return fail(Errno.EINVAL, "DESC_ASID requires IOTLB_ASID");
        }
        if ((features & bit(F_DESC_ASID)) != 0 && !parent.hasDescGroup()) {
            return fail(Errno.EOPNOTSUPP, "DESC_ASID without get_vq_desc_group");
        }
        if ((features & bit(F_IOTLB_PERSIST)) != 0 && !hasPersistentMap()) {
            return fail(Errno.EOPNOTSUPP, "IOTLB_PERSIST without a persistent map");
        }
        ackedBackend = features;
        return IoctlResult.OK;
    }

    public IoctlResult getDeviceId() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(1); // VIRTIO_ID_NET
    }

    public IoctlResult getStatus() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(hw.status());
    }

    /**
     * VHOST_VDPA_SET_STATUS: a non-zero status that clears bits already set is EINVAL; 0 resets the
     * device through {@code _compat_vdpa_reset} (which does not leave a batch).
     *
     * <p>The argument is a {@code u8} (vhost_vdpa_set_status copies one byte from userspace): only the
     * low byte of {@code value} is read, as the kernel reads the first byte of a wider little-endian
     * variable whose address it is given.
     */
    public IoctlResult setStatus(int value) {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        int status = value & 0xff;
        int old = hw.status();
        if (status != 0 && (old & ~status) != 0) {
            return fail(Errno.EINVAL, "status " + U64.hex(status) + " clears bits of " + U64.hex(old));
        }
        if (status == 0) {
            compatReset();
        } else {
            hw.setStatus(status);
        }
        return IoctlResult.OK;
    }

    /**
     * VHOST_VDPA_GET_CONFIG of {@code struct vhost_vdpa_config {u32 off; u32 len; u8 buf[]}}: {@code off}
     * is the u32 (its bits in an int), {@code len} is {@code buf.length}.
     */
    public IoctlResult getConfig(int offset, byte[] buf) {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        IoctlResult bad = configRange(offset, buf);
        if (bad != null) {
            return bad;
        }
        hw.readConfig(offset, buf, 0, buf.length);
        return IoctlResult.OK;
    }

    /** VHOST_VDPA_SET_CONFIG, with the checks of {@link #getConfig}. */
    public IoctlResult setConfig(int offset, byte[] buf) {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        IoctlResult bad = configRange(offset, buf);
        if (bad != null) {
            return bad;
        }
        hw.writeConfig(offset, buf, 0, buf.length);
        return IoctlResult.OK;
    }

    /**
     * vhost_vdpa_config_validate: {@code len == 0 || off > size} is -EINVAL, {@code len > size - off}
     * is -E2BIG; the get/set callers turn any failure into -EINVAL. {@code off} is unsigned; a null
     * buffer is the -EFAULT of copy_from_user.
     */
    private IoctlResult configRange(int offset, byte[] buf) {
        if (buf == null) {
            return fail(Errno.EFAULT, "config buffer is not readable");
        }
        long off = Integer.toUnsignedLong(offset);
        long size = hw.configSize();
        if (buf.length == 0 || off > size || buf.length > size - off) {
            return fail(Errno.EINVAL, "config [off " + off + ", len " + buf.length + "] outside the " + size
                    + "-byte config space");
        }
        return null;
    }

    /**
     * The common checks of an ioctl that vhost_vdpa_unlocked_ioctl passes to vhost_dev_ioctl (and on
     * to vhost_vdpa_vring_ioctl): vhost_dev_check_owner first (-EPERM before SET_OWNER), then the u32
     * at the start of the argument, {@code struct vhost_vring_state/addr.index}, read unsigned and
     * compared with the number of queues ({@code idx >= v->nvqs} is -ENOBUFS) before it indexes
     * anything. {@code index} holds the u32's bits.
     */
    private IoctlResult vring(int index) {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        if (!owned) {
            return fail(Errno.EPERM, "caller is not the owner (no SET_OWNER)");
        }
        if (Integer.compareUnsigned(index, hw.numQueues()) >= 0) {
            return fail(Errno.ENOBUFS, "vring index " + Integer.toUnsignedString(index) + " >= " + hw.numQueues());
        }
        return null;
    }

    private boolean runningUnsuspended() {
        return (hw.status() & 4) != 0 && !hw.suspended();
    }

    /**
     * VHOST_SET_VRING_NUM: {@code num} is the u32 {@code vhost_vring_state.num}; vhost_vring_set_num
     * refuses 0, above 0xffff and not a power of two (-EINVAL); above the parent's maximum is -EINVAL
     * too (6.8+, see linux-vhost-vdpa.md §8).
     */
    public IoctlResult setVringNum(int index, int num) {
        IoctlResult err = vring(index);
        if (err != null) {
            return err;
        }
        if (num == 0 || Integer.compareUnsigned(num, 0xffff) > 0 || Integer.bitCount(num) != 1
                || num > hw.maxQueueSize()) {
            return fail(Errno.EINVAL, "vring num " + Integer.toUnsignedString(num));
        }
        hw.setVqNum(index, num);
        return IoctlResult.OK;
    }

    /**
     * VHOST_SET_VRING_ADDR: refused while DRIVER_OK unless suspended (newer kernels). The three
     * addresses are u64; vhost_vring_set_addr refuses an avail ring not 2-aligned and a used ring not
     * 4-aligned (VRING_AVAIL_ALIGN_SIZE, VRING_USED_ALIGN_SIZE: -EINVAL). Flags and the log address
     * (dirty logging) are not modelled.
     */
    public IoctlResult setVringAddr(int index, long desc, long avail, long used) {
        IoctlResult err = vring(index);
        if (err != null) {
            return err;
        }
        if (runningUnsuspended()) {
            return fail(Errno.EINVAL, "SET_VRING_ADDR while DRIVER_OK and not suspended");
        }
        if ((avail & 1) != 0 || (used & 3) != 0) {
            return fail(Errno.EINVAL, "avail ring " + U64.hex(avail) + " not 2-aligned or used ring " + U64.hex(used)
                    + " not 4-aligned");
        }
        hw.setVqAddress(index, Iova.of(desc), Iova.of(avail), Iova.of(used));
        return IoctlResult.OK;
    }

    public IoctlResult setVringBase(int index, int base) {
        IoctlResult err = vring(index);
        if (err != null) {
            return err;
        }
        if (runningUnsuspended()) {
            return fail(Errno.EINVAL, "SET_VRING_BASE while DRIVER_OK and not suspended");
        }
        if (Integer.compareUnsigned(base, 0xffff) > 0) { // vhost_vring_ioctl: s.num > 0xffff (split ring)
            return fail(Errno.EINVAL, "vring base " + Integer.toUnsignedString(base));
        }
        hw.setVqBase(index, base);
        return IoctlResult.OK;
    }

    public IoctlResult getVringBase(int index) {
        IoctlResult err = vring(index);
        return err != null ? err : IoctlResult.ok(hw.vqBase(index));
    }

    /** VHOST_SET_VRING_KICK / CALL: eventfds are not modelled; the index is checked. */
    public IoctlResult setVringKick(int index) {
        IoctlResult err = vring(index);
        return err != null ? err : IoctlResult.OK;
    }

    public IoctlResult setVringCall(int index) {
        IoctlResult err = vring(index);
        return err != null ? err : IoctlResult.OK;
    }

    public IoctlResult setVringEnable(int index, boolean enable) {
        IoctlResult err = vring(index);
        if (err != null) {
            return err;
        }
        hw.setVqReady(index, enable);
        return IoctlResult.OK;
    }

    /**
     * VHOST_VDPA_SET_VRING_ENABLE with the u32 {@code vhost_vring_state.num} as userspace passes it:
     * the kernel hands it to {@code set_vq_ready(..., bool ready)}, so any non-zero value enables.
     */
    public IoctlResult setVringEnable(int index, int num) {
        return setVringEnable(index, num != 0);
    }

    public IoctlResult getVringNum() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(hw.maxQueueSize());
    }

    /** The IOVA range: the parent's, else the IOMMU domain's aperture, else everything. */
    public AddrRange iovaRange() {
        AddrRange r = parent.iovaRange();
        if (r != null) {
            return r;
        }
        return parent instanceof PlatformIommuParent ? PlatformIommuParent.APERTURE : AddrRange.ALL;
    }

    /** VHOST_VDPA_GET_IOVA_RANGE: the range itself is {@link #iovaRange()}. */
    public IoctlResult getIovaRange() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.OK;
    }

    public IoctlResult getConfigSize() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(hw.configSize());
    }

    public IoctlResult getVqsCount() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(hw.numQueues());
    }

    public IoctlResult getAsNum() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(parent.numAddressSpaces());
    }

    public IoctlResult getGroupNum() {
        IoctlResult closed = ioctl();
        return closed != null ? closed : IoctlResult.ok(parent.numGroups());
    }

    public IoctlResult getVringGroup(int index) {
        IoctlResult err = vring(index);
        return err != null ? err : IoctlResult.ok(Math.min(hw.vqGroup(index), parent.numGroups() - 1));
    }

    /**
     * VHOST_VDPA_SET_GROUP_ASID, {@code struct vhost_vring_state {u32 index = group; u32 num = asid}}.
     * It is a vring ioctl (vhost_vdpa_vring_ioctl): the group goes through the vring-index check first
     * (EPERM without owner, ENOBUFS at or above the number of queues); then {@code s.num >= nas} is
     * EINVAL, no {@code set_group_asid} op EOPNOTSUPP, and the parent's own
     * {@code group >= ngroups} check EINVAL. Both values are u32 bits.
     */
    public IoctlResult setGroupAsid(int group, int asid) {
        IoctlResult err = vring(group);
        if (err != null) {
            return err;
        }
        if (Integer.compareUnsigned(asid, parent.numAddressSpaces()) >= 0) {
            return fail(Errno.EINVAL, "asid " + Integer.toUnsignedString(asid) + " >= " + parent.numAddressSpaces());
        }
        if (!parent.hasSetGroupAsid()) {
            return fail(Errno.EOPNOTSUPP, "no set_group_asid");
        }
        if (Integer.compareUnsigned(group, parent.numGroups()) >= 0) {
            return fail(Errno.EINVAL, "group " + Integer.toUnsignedString(group) + " >= " + parent.numGroups());
        }
        hw.setGroupAsid(group, asid);
        return IoctlResult.OK;
    }

    public IoctlResult suspend() {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        if (!parent.hasSuspend()) {
            return fail(Errno.EOPNOTSUPP, "no suspend op");
        }
        parent.suspend();
        return IoctlResult.OK;
    }

    public IoctlResult resume() {
        IoctlResult closed = ioctl();
        if (closed != null) {
            return closed;
        }
        if (!parent.hasResume()) {
            return fail(Errno.EOPNOTSUPP, "no resume op");
        }
        parent.resume();
        return IoctlResult.OK;
    }

    // ---------------------------------------------------------------- IOTLB messages

    /** write(2) of a whole buffer. */
    public WriteResult write(byte[] bytes) {
        return write(bytes, bytes == null ? 0 : bytes.length);
    }

    /**
     * write(2) of {@code len} bytes: a {@code struct vhost_msg_v2} (or v1). Returns 72 on success, also
     * for a 40..71-byte write; EINVAL for fewer than 40 bytes, an unknown envelope or an UPDATE of size
     * 0; EFAULT for every error of the message handler (the inner reason is kept).
     */
    public WriteResult write(byte[] bytes, int count) {
        meter.chargeUnits(CostKind.IOTLB_WRITE, 1);
        if (!open) {
            return new WriteResult(-1, Errno.EINVAL, Errno.EINVAL, IotlbFailure.NONE);
        }
        if (bytes == null) { // write(2) from an unmapped buffer
            lastDetail = "write buffer is not readable";
            counters.message(0, Errno.EFAULT);
            return new WriteResult(-1, Errno.EFAULT, Errno.EFAULT, IotlbFailure.SHORT_WRITE);
        }
        // count is write(2)'s size_t: unsigned. Past the buffer nothing is readable, so the copy in
        // vhost_chr_write_iter stops at the buffer's end, as copy_from_iter stops at a fault.
        int len = (int) Math.min(Integer.toUnsignedLong(count), bytes.length);
        if (len < MIN_MSG_WRITE) {
            lastDetail = "write of " + len + " bytes is shorter than a message";
            counters.message(0, Errno.EINVAL);
            return new WriteResult(-1, Errno.EINVAL, Errno.EINVAL, IotlbFailure.SHORT_WRITE);
        }
        VhostMsgV2 msg = VhostMsgV2.decode(bytes, Math.min(len, VhostMsgV2.SIZE));
        if (msg.type() != VHOST_IOTLB_MSG && msg.type() != VHOST_IOTLB_MSG_V2) {
            lastDetail = "unknown envelope type " + msg.type();
            counters.message(0, Errno.EINVAL);
            return new WriteResult(-1, Errno.EINVAL, Errno.EINVAL, IotlbFailure.BAD_ENVELOPE);
        }
        // The asid is read only for a v2 message with IOTLB_ASID acked; v1 has padding there.
        int asid = msg.type() == VHOST_IOTLB_MSG_V2 && (ackedBackend & bit(F_IOTLB_ASID)) != 0 ? msg.asid() : 0;
        if (msg.iotlbType() == VHOST_IOTLB_UPDATE && msg.size() == 0) {
            lastDetail = "UPDATE of size 0";
            counters.message(msg.iotlbType(), Errno.EINVAL);
            return new WriteResult(-1, Errno.EINVAL, Errno.EINVAL, IotlbFailure.ZERO_SIZE);
        }
        WriteResult r = handle(asid, msg);
        counters.message(msg.iotlbType(), r.errno());
        TRACE.trace("vhost_vdpa_iotlb_msg asid={} type={} iova={} size={} uaddr={} perm={} -> {} {}", asid,
                msg.typeName(), U64.hex(msg.iova()), U64.hex(msg.size()), U64.hex(msg.uaddr()), msg.perm(),
                r.errno().symbol(), r.failure());
        return r;
    }

    private WriteResult handlerError(Errno inner, IotlbFailure why, String detail) {
        lastDetail = detail;
        LOG.debug("{}: IOTLB message refused: {} ({}, {})", name, detail, inner, why);
        return new WriteResult(-1, Errno.EFAULT, inner, why);
    }

    private WriteResult handle(int asid, VhostMsgV2 msg) {
        if (!owned) {
            return handlerError(Errno.EPERM, IotlbFailure.NOT_OWNER, "caller is not the owner (no SET_OWNER)");
        }
        int type = msg.iotlbType();
        VhostIotlb table;
        if (type == VHOST_IOTLB_UPDATE || type == VHOST_IOTLB_BATCH_BEGIN) {
            if (Integer.compareUnsigned(asid, asTables.length) >= 0) {
                return handlerError(Errno.EINVAL, IotlbFailure.BAD_ASID,
                        "asid " + Integer.toUnsignedString(asid) + " >= " + asTables.length + " address spaces");
            }
            if (asTables[asid] == null) {
                asTables[asid] = new VhostIotlb();
            }
            table = asTables[asid];
        } else {
            table = iotlb(asid);
            if (table == null) {
                return handlerError(Errno.EINVAL, IotlbFailure.BAD_ASID,
                        "address space " + Integer.toUnsignedString(asid) + " does not exist");
            }
        }
        if (inBatch && batchAsid != asid) {
            return handlerError(Errno.EINVAL, IotlbFailure.ASID_CHANGE_IN_BATCH,
                    "asid " + Integer.toUnsignedString(asid) + " inside a batch for asid " + batchAsid);
        }
        switch (type) {
            case VHOST_IOTLB_UPDATE:
                return update(asid, table, msg);
            case VHOST_IOTLB_INVALIDATE:
                // vhost_vdpa_unmap -> vhost_vdpa_iotlb_unmap(iova, iova + size - 1): the end wraps
                // modulo 2^64 and the interval tree answers the wrapped query as it stands (size 0 at
                // iova 0 is everything; see VhostIotlb#overlapping and linux-vhost-vdpa.md §8).
                unmapRange(asid, msg.iova(), msg.iova() + msg.size() - 1);
                if (parent.hasSetMap() && !inBatch) {
                    parent.setMap(asid, table);
                }
                return WriteResult.OK;
            case VHOST_IOTLB_BATCH_BEGIN:
                batchAsid = asid;
                inBatch = true;
                return WriteResult.OK;
            case VHOST_IOTLB_BATCH_END:
                // The kernel never checks that IOTLB_BATCH was acked, nor that a batch was open.
                if (inBatch && parent.hasSetMap()) {
                    parent.setMap(batchAsid, asTables[batchAsid]);
                }
                inBatch = false;
                return WriteResult.OK;
            default:
                return handlerError(Errno.EINVAL, IotlbFailure.BAD_TYPE,
                        "inner type " + VhostMsgV2.class.getSimpleName() + " " + msg.typeName() + " not accepted");
        }
    }

    private WriteResult update(int asid, VhostIotlb table, VhostMsgV2 msg) {
        long iova = msg.iova();
        long size = msg.size();
        AddrRange range = iovaRange();
        if (U64.lt(iova, range.start())) {
            return handlerError(Errno.EINVAL, IotlbFailure.IOVA_RANGE, "iova " + U64.hex(iova) + " below " + range);
        }
        if (U64.addOverflows(iova, size - 1)) {
            return handlerError(Errno.EINVAL, IotlbFailure.OVERFLOW,
                    "iova " + U64.hex(iova) + " + size " + U64.hex(size) + " wraps past 2^64");
        }
        long last = iova + size - 1;
        if (U64.gt(last, range.last())) {
            return handlerError(Errno.EINVAL, IotlbFailure.IOVA_RANGE,
                    "[" + U64.hex(iova) + ", " + U64.hex(last) + "] outside " + range);
        }
        DmaEntry clash = table.firstOverlap(iova, last);
        if (clash != null) {
            return handlerError(Errno.EEXIST, IotlbFailure.OVERLAP, "[" + U64.hex(iova) + ", " + U64.hex(last)
                    + "] overlaps the mapping [" + U64.hex(clash.start()) + ", " + U64.hex(clash.last()) + "]");
        }
        long uaddr = msg.uaddr();
        RamBlock block = U64.addOverflows(uaddr, size - 1) ? null : mm.blockContaining(uaddr, size);
        if (block == null) {
            return handlerError(Errno.EFAULT, IotlbFailure.UNMAPPED_UADDR,
                    "uaddr [" + U64.hex(uaddr) + ", +" + U64.hex(size) + ") is not mapped memory of the process");
        }
        long npages = Pages.spanned(uaddr, size);
        if (!mm.mayPin(npages)) {
            return handlerError(Errno.ENOMEM, IotlbFailure.MEMLOCK, "pinning " + npages + " pages exceeds"
                    + " RLIMIT_MEMLOCK (" + mm.pinnedPages() + " pinned, limit " + U64.dec(mm.memlockLimitBytes())
                    + " bytes)");
        }
        // One entry and one parent call per physically contiguous run of the backing block.
        long off = uaddr - block.base().value();
        long end = off + size;
        long run = block.physRunSize();
        List<DmaEntry> added = new ArrayList<>();
        for (long cur = off; cur < end;) {
            long runEnd = Math.min(end, (cur / run + 1) * run);
            long len = runEnd - cur;
            long entryIova = iova + (cur - off);
            long hva = block.base().value() + cur;
            pin(block, cur, len);
            // add answers the new entry: looking it up with find() would force the lookup index to be
            // rebuilt after every insert, O(n^2) over a per-page (shmem) mapping.
            DmaEntry e = table.add(entryIova, entryIova + len - 1, hva, msg.perm());
            added.add(e);
            Errno pe = mapInParent(asid, table, e);
            if (pe != Errno.OK) {
                for (DmaEntry undo : added) {
                    unmapEntry(asid, table, undo, undo != e);
                }
                return handlerError(pe, IotlbFailure.PARENT, "parent refused the mapping: " + pe);
            }
            cur = runEnd;
        }
        return WriteResult.OK;
    }

    private Errno mapInParent(int asid, VhostIotlb table, DmaEntry e) {
        long size = e.last() - e.start() + 1;
        if (parent.hasDmaMap()) {
            return parent.dmaMap(asid, e.start(), size, e.addr(), e.perm());
        }
        if (parent.hasSetMap()) {
            return inBatch ? Errno.OK : parent.setMap(asid, table);
        }
        ((PlatformIommuParent) parent).iommuMap(e.start(), size, e.addr(), e.perm());
        return Errno.OK;
    }

    private void pin(RamBlock block, long off, long len) {
        long pages = block.pins().pin(off, len);
        mm.accountPinned(pages);
        counters.add(KernelEvent.PAGES_PINNED, pages);
        meter.chargeUnits(CostKind.PIN, pages);
    }

    private void unpin(DmaEntry e) {
        RamBlock block = mm.blockAt(e.addr());
        long len = e.last() - e.start() + 1;
        long pages = block.pins().unpin(e.addr() - block.base().value(), len);
        mm.accountUnpinned(pages);
        counters.add(KernelEvent.PAGES_UNPINNED, pages);
        meter.chargeUnits(CostKind.UNPIN, pages);
    }

    /** Removes one entry: from the table, from the parent (unless it never got there), and its pins. */
    private void unmapEntry(int asid, VhostIotlb table, DmaEntry e, boolean inParent) {
        table.remove(e);
        unpin(e);
        if (inParent) {
            unmapInParent(asid, e);
        }
    }

    private void unmapInParent(int asid, DmaEntry e) {
        if (parent.hasDmaMap()) {
            parent.dmaUnmap(asid, e.start(), e.last() - e.start() + 1);
        } else if (!parent.hasSetMap()) {
            ((PlatformIommuParent) parent).iommuUnmap(e);
        }
    }

    /** Removes every entry overlapping {@code [start, last]} whole (never split) and unpins it. */
    private void unmapRange(int asid, long start, long last) {
        VhostIotlb table = asTables[asid];
        for (DmaEntry e : table.overlapping(start, last)) {
            table.remove(e);
            unpin(e);
            unmapInParent(asid, e);
        }
    }

    // ---------------------------------------------------------------- MISS / ACCESS_FAIL read-back

    /**
     * Queues an IOTLB MISS (or ACCESS_FAIL) message for userspace to read, as the device does when a
     * DMA finds no mapping. The queue is bounded; the oldest message is dropped when it is full.
     */
    public void postIotlbFault(int asid, long iova, int perm, boolean accessFail) {
        if (readQueue.size() >= MAX_READ_QUEUE) {
            readQueue.poll();
            readQueueDropped++;
        }
        readQueue.add(VhostMsgV2.of(asid, accessFail ? VHOST_IOTLB_ACCESS_FAIL : VHOST_IOTLB_MISS, iova, 0, 0, perm)
                .encode());
    }

    /** read(2): the next queued MISS/ACCESS_FAIL message, if any (EAGAIN otherwise). */
    public Optional<byte[]> read() {
        return Optional.ofNullable(readQueue.poll());
    }

    public long readQueueDropped() {
        return readQueueDropped;
    }
}
