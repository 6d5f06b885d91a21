package org.toyvm.vdpa.kernel;

import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.uapi.Errno;

/**
 * VHOST_VDPA_GET_CONFIG / SET_CONFIG of {@code struct vhost_vdpa_config {u32 off; u32 len; u8 buf[]}}
 * (vhost_vdpa_get_config, vhost_vdpa_set_config): the window is checked against the device's
 * config space before a byte moves.
 */
final class ConfigIoctls {
    private final VirtioNetHardware hw;
    private final DeviceGate gate;

    ConfigIoctls(VirtioNetHardware hw, DeviceGate gate) {
        this.hw = hw;
        this.gate = gate;
    }

    /**
     * vhost_vdpa_config_validate: {@code len == 0 || off > size} is -EINVAL, {@code len > size - off}
     * is -E2BIG; the get/set callers turn any failure into -EINVAL. {@code off} is unsigned; a null
     * buffer is the -EFAULT of copy_from_user.
     */
    IoctlResult access(int offset, byte[] buf, boolean write) {
        if (buf == null) {
            return gate.fail(Errno.EFAULT, "config buffer is not readable");
        }
        long off = Integer.toUnsignedLong(offset);
        long size = hw.configSize();
        if (buf.length == 0 || off > size || buf.length > size - off) {
            return gate.fail(Errno.EINVAL, "config [off " + off + ", len " + buf.length + "] outside the " + size
                    + "-byte config space");
        }
        if (write) {
            hw.writeConfig(offset, buf, 0, buf.length);
        } else {
            hw.readConfig(offset, buf, 0, buf.length);
        }
        return IoctlResult.OK;
    }
}
