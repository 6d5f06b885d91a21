package org.toyvm.vdpa.kernel;

import org.toyvm.vdpa.uapi.Errno;

/**
 * What an ioctl returns, as the syscall would: {@code rc} 0 or -1, the errno, and the value an ioctl
 * that reads something wrote back (features, status, base, ...).
 */
public record IoctlResult(int rc, Errno errno, long value) {
    public static final IoctlResult OK = new IoctlResult(0, Errno.OK, 0);

    public static IoctlResult ok(long value) {
        return new IoctlResult(0, Errno.OK, value);
    }

    public static IoctlResult fail(Errno errno) {
        return new IoctlResult(-1, errno, 0);
    }

    public boolean ok() {
        return errno == Errno.OK;
    }
}
