package org.toyvm.vdpa.kernel;

import java.util.function.Supplier;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.uapi.Errno;

/**
 * The open/owner state of one {@code /dev/vhost-vdpa-N} and the one place it is checked.
 *
 * <p>{@link #dispatch} is the entry of every ioctl, as {@code vhost_vdpa_unlocked_ioctl} is: it
 * charges the syscall, refuses a closed fd (EINVAL in this model; the kernel has no ioctl on a
 * released file), and for a vring ioctl runs {@code vhost_dev_check_owner} (-EPERM before
 * SET_OWNER) and the u32 index check of {@code vhost_vdpa_vring_ioctl} (-ENOBUFS at or above the
 * number of queues) before the handler sees the index. The write path asks {@link #isOwner()}, as
 * {@code vhost_vdpa_process_iotlb_msg} calls {@code vhost_dev_check_owner}.
 *
 * <p>It also keeps the human-readable detail of the last refusal, for logs and the console.
 */
final class DeviceGate {
    private final VirtioNetHardware hw;
    private final CostMeter meter;
    private boolean open;
    private boolean owned;
    private String lastDetail = "";

    DeviceGate(VirtioNetHardware hw, CostMeter meter) {
        this.hw = hw;
        this.meter = meter;
    }

    /** Runs {@code handler} once the checks of {@code cmd}'s scope pass; {@code index} is a u32's bits. */
    IoctlResult dispatch(VhostIoctl cmd, int index, Supplier<IoctlResult> handler) {
        meter.chargeUnits(CostKind.IOCTL, 1);
        if (!open) {
            return IoctlResult.fail(Errno.EINVAL);
        }
        if (cmd.scope() == VhostIoctl.Scope.VRING) {
            if (!owned) {
                return fail(Errno.EPERM, "caller is not the owner (no SET_OWNER)");
            }
            if (Integer.compareUnsigned(index, hw.numQueues()) >= 0) {
                return fail(Errno.ENOBUFS,
                        "vring index " + Integer.toUnsignedString(index) + " >= " + hw.numQueues());
            }
        }
        return handler.get();
    }

    /** {@link #dispatch} of an ioctl without a vring index. */
    IoctlResult dispatch(VhostIoctl cmd, Supplier<IoctlResult> handler) {
        return dispatch(cmd, 0, handler);
    }

    /** A refusal: keeps the detail, returns the errno. */
    IoctlResult fail(Errno e, String detail) {
        lastDetail = detail;
        return IoctlResult.fail(e);
    }

    void detail(String detail) {
        lastDetail = detail;
    }

    String lastDetail() {
        return lastDetail;
    }

    boolean isOpen() {
        return open;
    }

    boolean isOwner() {
        return owned;
    }

    /** open(2): a fresh session, no owner yet. */
    void open() {
        open = true;
        owned = false;
    }

    /** release: the fd and its owner are gone. */
    void release() {
        open = false;
        owned = false;
    }

    /** vhost_dev_set_owner: a second call is -EBUSY. */
    IoctlResult setOwner() {
        if (owned) {
            return fail(Errno.EBUSY, "owner already set");
        }
        owned = true;
        return IoctlResult.OK;
    }
}
