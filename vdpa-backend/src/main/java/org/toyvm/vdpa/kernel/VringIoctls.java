package org.toyvm.vdpa.kernel;

import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_VRING_U16_MAX;

import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.uapi.Errno;

/**
 * The vring ioctls of {@code vhost_vdpa_vring_ioctl} (and {@code vhost_vring_ioctl} for NUM, ADDR and
 * BASE). Each goes through the {@link DeviceGate} first, which runs {@code vhost_dev_check_owner} and
 * the u32 index check, so a handler here only ever sees an index below the number of queues.
 * <pre>
 *  SET_VRING_NUM       EINVAL (0, > 0xffff, not a power of two; 6.8+: > the device's maximum)
 *  SET_VRING_ADDR      EINVAL (avail not 2-, used not 4-aligned; 6.8+: DRIVER_OK and not suspended)
 *  SET_VRING_BASE      EINVAL (> 0xffff; 6.8+: DRIVER_OK and not suspended)
 *  SET_GROUP_ASID      EINVAL (asid >= nas), EOPNOTSUPP (no op), EINVAL (group >= groups)
 *  GET_VRING_DESC_GROUP  EOPNOTSUPP (no get_vq_desc_group), EIO (group >= groups); before 6.7 ENOTTY
 *  GET_VRING_BASE, SET_VRING_KICK/CALL, VDPA_SET_VRING_ENABLE, GET_VRING_GROUP: the gate's checks only
 * </pre>
 */
final class VringIoctls {
    private final KernelVersion version;
    private final VirtioNetHardware hw;
    private final VdpaParent parent;
    private final DeviceGate gate;

    VringIoctls(KernelVersion version, VirtioNetHardware hw, VdpaParent parent, DeviceGate gate) {
        this.version = version;
        this.hw = hw;
        this.parent = parent;
        this.gate = gate;
    }

    /**
     * vhost_vdpa_vring_ioctl from 6.8 (v6.12: {@code (ops->get_status(vdpa) & DRIVER_OK) &&
     * !v->suspended} is -EINVAL for SET_VRING_ADDR and SET_VRING_BASE); v6.1 has no such check.
     */
    private boolean refusedWhileRunning() {
        return version.checksVringsWhileRunning() && (hw.status() & VirtioStatus.DRIVER_OK) != 0 && !hw.suspended();
    }

    /**
     * VHOST_SET_VRING_NUM: {@code num} is the u32 {@code vhost_vring_state.num}; vhost_vring_set_num
     * (vhost.c, 6.1 and 6.12) refuses 0, above 0xffff and not a power of two (-EINVAL). Above the
     * device's maximum: accepted on 6.1 (the value goes to {@code set_vq_num} as is), -EINVAL on
     * 6.12.117 as observed (docs/linux-vhost-vdpa.md §8; the check is not in mainline
     * vhost_vdpa_vring_ioctl of v6.12, which reads the same as v6.1 for this ioctl, so it is modelled
     * from the observation, from 6.8 on with the other vring checks).
     */
    IoctlResult setVringNum(int index, int num) {
        return gate.dispatch(VhostIoctl.VHOST_SET_VRING_NUM, index, () -> {
            if (num == 0 || Integer.compareUnsigned(num, VHOST_VRING_U16_MAX) > 0 || Integer.bitCount(num) != 1
                    || version.checksVringsWhileRunning() && num > hw.maxQueueSize()) {
                return gate.fail(Errno.EINVAL, "vring num " + Integer.toUnsignedString(num));
            }
            hw.setVqNum(index, num);
            return IoctlResult.OK;
        });
    }

    /**
     * VHOST_SET_VRING_ADDR: refused while DRIVER_OK unless suspended (6.8+). The three
     * addresses are the u64 {@code desc/avail/used_user_addr}, which vhost-vdpa hands to
     * {@code set_vq_address} as the device's ring areas: IOVAs. vhost_vring_set_addr refuses an avail
     * ring not 2-aligned and a used ring not 4-aligned (VRING_AVAIL_ALIGN_SIZE, VRING_USED_ALIGN_SIZE:
     * -EINVAL). Flags and the log address (dirty logging) are not modelled.
     */
    IoctlResult setVringAddr(int index, Iova desc, Iova avail, Iova used) {
        return gate.dispatch(VhostIoctl.VHOST_SET_VRING_ADDR, index, () -> {
            if ((avail.value() & (SplitRing.AVAIL_ALIGN - 1)) != 0
                    || (used.value() & (SplitRing.USED_ALIGN - 1)) != 0) {
                return gate.fail(Errno.EINVAL, "avail ring " + U64.hex(avail.value()) + " not 2-aligned or used ring "
                        + U64.hex(used.value()) + " not 4-aligned");
            }
            if (refusedWhileRunning()) { // after vhost_vring_ioctl's own checks
                return gate.fail(Errno.EINVAL, "SET_VRING_ADDR while DRIVER_OK and not suspended");
            }
            hw.setVqAddress(index, desc, avail, used);
            return IoctlResult.OK;
        });
    }

    /** VHOST_SET_VRING_BASE: a split ring's base is a u16 (vhost_vring_ioctl); refused while running (6.8+). */
    IoctlResult setVringBase(int index, int base) {
        return gate.dispatch(VhostIoctl.VHOST_SET_VRING_BASE, index, () -> {
            if (Integer.compareUnsigned(base, VHOST_VRING_U16_MAX) > 0) {
                return gate.fail(Errno.EINVAL, "vring base " + Integer.toUnsignedString(base));
            }
            if (refusedWhileRunning()) {
                return gate.fail(Errno.EINVAL, "SET_VRING_BASE while DRIVER_OK and not suspended");
            }
            hw.setVqBase(index, base);
            return IoctlResult.OK;
        });
    }

    IoctlResult getVringBase(int index) {
        return gate.dispatch(VhostIoctl.VHOST_GET_VRING_BASE, index, () -> IoctlResult.ok(hw.vqBase(index)));
    }

    /** VHOST_SET_VRING_KICK / CALL: eventfds are not modelled; the index is checked. */
    IoctlResult setVringKick(int index) {
        return gate.dispatch(VhostIoctl.VHOST_SET_VRING_KICK, index, () -> IoctlResult.OK);
    }

    IoctlResult setVringCall(int index) {
        return gate.dispatch(VhostIoctl.VHOST_SET_VRING_CALL, index, () -> IoctlResult.OK);
    }

    IoctlResult setVringEnable(int index, boolean enable) {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_SET_VRING_ENABLE, index, () -> {
            hw.setVqReady(index, enable);
            return IoctlResult.OK;
        });
    }

    /**
     * VHOST_VDPA_SET_VRING_ENABLE with the u32 {@code vhost_vring_state.num} as userspace passes it:
     * the kernel hands it to {@code set_vq_ready(..., bool ready)}, so any non-zero value enables.
     */
    IoctlResult setVringEnable(int index, int num) {
        return setVringEnable(index, num != 0);
    }

    IoctlResult getVringGroup(int index) {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_VRING_GROUP, index,
                () -> IoctlResult.ok(Math.min(hw.vqGroup(index), parent.numGroups() - 1)));
    }

    /**
     * VHOST_VDPA_GET_VRING_DESC_GROUP, {@code struct vhost_vring_state {u32 index = vq; u32 num}}
     * ({@code _IOWR(VHOST_VIRTIO, 0x7F, ...)}), in vhost_vdpa_vring_ioctl from 6.7 ("vhost-vdpa: introduce
     * descriptor group backend feature", Si-Wei Liu; unchanged through 6.12). After the gate's checks
     * (vhost_dev_ioctl's owner check: EPERM; the vq index: ENOBUFS), {@code vhost_vdpa_has_desc_group}
     * — which tests only that the parent has {@code get_vq_desc_group}, not that DESC_ASID was acked
     * (QEMU's {@code vhost_vdpa_probe_desc_group} asks before acking anything) — else EOPNOTSUPP; then
     * the parent's answer, EIO when it is not below {@code vdpa->ngroups}. Before 6.7 the ioctl is
     * unknown: the same entry checks, then vhost_vring_ioctl's -ENOIOCTLCMD (ENOTTY), as
     * {@link SuspendIoctls#resume} before 6.4.
     */
    IoctlResult getVringDescGroup(int index) {
        if (!version.hasDescAsid()) {
            return gate.dispatch(VhostIoctl.UNKNOWN, index,
                    () -> gate.fail(Errno.ENOTTY, "no VHOST_VDPA_GET_VRING_DESC_GROUP ioctl before 6.7"));
        }
        return gate.dispatch(VhostIoctl.VHOST_VDPA_GET_VRING_DESC_GROUP, index, () -> {
            if (!parent.hasDescGroup()) {
                return gate.fail(Errno.EOPNOTSUPP, "no get_vq_desc_group");
            }
            int group = hw.vqDescGroup(index);
            if (Integer.compareUnsigned(group, parent.numGroups()) >= 0) {
                return gate.fail(Errno.EIO, "desc group " + Integer.toUnsignedString(group) + " >= "
                        + parent.numGroups());
            }
            return IoctlResult.ok(group);
        });
    }

    /**
     * VHOST_VDPA_SET_GROUP_ASID, {@code struct vhost_vring_state {u32 index = group; u32 num = asid}}.
     * It is a vring ioctl (vhost_vdpa_vring_ioctl): the group goes through the vring-index check first
     * (EPERM without owner, ENOBUFS at or above the number of queues); then {@code s.num >= nas} is
     * EINVAL, no {@code set_group_asid} op EOPNOTSUPP, and the parent's own
     * {@code group >= ngroups} check EINVAL. Both values are u32 bits.
     */
    IoctlResult setGroupAsid(int group, int asid) {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_SET_GROUP_ASID, group, () -> {
            if (Integer.compareUnsigned(asid, parent.numAddressSpaces()) >= 0) {
                return gate.fail(Errno.EINVAL,
                        "asid " + Integer.toUnsignedString(asid) + " >= " + parent.numAddressSpaces());
            }
            if (!parent.hasSetGroupAsid()) {
                return gate.fail(Errno.EOPNOTSUPP, "no set_group_asid");
            }
            if (Integer.compareUnsigned(group, parent.numGroups()) >= 0) {
                return gate.fail(Errno.EINVAL,
                        "group " + Integer.toUnsignedString(group) + " >= " + parent.numGroups());
            }
            hw.setGroupAsid(group, asid);
            return IoctlResult.OK;
        });
    }
}
