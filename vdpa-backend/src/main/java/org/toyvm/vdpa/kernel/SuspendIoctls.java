package org.toyvm.vdpa.kernel;

import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.uapi.Errno;

/**
 * VHOST_VDPA_SUSPEND and VHOST_VDPA_RESUME (vhost_vdpa_suspend, vhost_vdpa_resume): device
 * ioctls of vhost_vdpa_unlocked_ioctl, no owner needed; EOPNOTSUPP without the parent's op.
 * RESUME arrived in 6.4. v6.12 answers 0 without calling the op while DRIVER_OK is not set ("no
 * driver state to preserve", Steve Sistare's 2024 series, which also brought the vq checks of
 * {@link KernelVersion#checksVringsWhileRunning}); v6.1 calls {@code ops->suspend} whatever the status.
 */
final class SuspendIoctls {
    private final KernelVersion version;
    private final VdpaParent parent;
    private final DeviceGate gate;

    SuspendIoctls(KernelVersion version, VdpaParent parent, DeviceGate gate) {
        this.version = version;
        this.parent = parent;
        this.gate = gate;
    }

    private boolean notRunning() {
        return version.checksVringsWhileRunning() && (parent.hardware().status() & VirtioStatus.DRIVER_OK) == 0;
    }

    IoctlResult suspend() {
        return gate.dispatch(VhostIoctl.VHOST_VDPA_SUSPEND, () -> {
            if (notRunning()) {
                return IoctlResult.OK;
            }
            if (!parent.hasSuspend()) {
                return gate.fail(Errno.EOPNOTSUPP, "no suspend op");
            }
            parent.suspend();
            return IoctlResult.OK;
        });
    }

    /**
     * VHOST_VDPA_RESUME. Before 6.4 (so on 6.1) vhost_vdpa_unlocked_ioctl does not know it: it goes
     * to vhost_dev_ioctl (EPERM without owner, else -ENOIOCTLCMD), then vhost_vdpa_vring_ioctl and
     * vhost_vring_ioctl, which read a u32 index from the argument and end in -ENOIOCTLCMD, ENOTTY to
     * userspace. The model passes a readable argument holding index 0; a NULL argument would read as
     * EFAULT there.
     */
    IoctlResult resume() {
        if (!version.hasResume()) {
            return gate.dispatch(VhostIoctl.UNKNOWN, 0,
                    () -> gate.fail(Errno.ENOTTY, "no VHOST_VDPA_RESUME ioctl before 6.4"));
        }
        return gate.dispatch(VhostIoctl.VHOST_VDPA_RESUME, () -> {
            if (notRunning()) {
                return IoctlResult.OK;
            }
            if (!parent.hasResume()) {
                return gate.fail(Errno.EOPNOTSUPP, "no resume op");
            }
            parent.resume();
            return IoctlResult.OK;
        });
    }
}
