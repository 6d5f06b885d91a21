package org.toyvm.net.vhost;

/**
 * Receives every ioctl the frontend issues on its /dev/vhost-vdpa fd, in order, with the result and the
 * QEMU function that issues it — the control-plane half of a trace (the IOTLB writes go to
 * {@link IotlbTraceSink}). For tests and {@code --trace}-style tools; {@link #NONE} by default.
 */
@FunctionalInterface
public interface IoctlTraceSink {
    IoctlTraceSink NONE = (n, a, r, f) -> { };

    /**
     * @param name the uAPI name without prefix, e.g. {@code SET_STATUS}, {@code GET_VRING_BASE}
     * @param arg its argument in words ({@code "0"}, {@code "vq 1"}, {@code "ACK|DRIVER"}), or ""
     * @param result "ok" or the errno name
     * @param by the QEMU function that issued it (e.g. {@code vhost_vdpa_reset_status})
     */
    void issued(String name, String arg, String result, String by);
}
