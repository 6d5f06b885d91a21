package org.toyvm.vdpa.kernel;

import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;

/**
 * What a {@code write()} to the device returns: {@code rc} is 72 (a successful message, also for a
 * 40..71-byte write) or -1 with the errno userspace sees; {@code failure} and {@code innerErrno} keep
 * the handler's own reason (for example EFAULT to userspace, EEXIST inside, reason OVERLAP).
 */
public record WriteResult(int rc, Errno errno, Errno innerErrno, IotlbFailure failure) {
    public static final WriteResult OK = new WriteResult(VhostMsgV2.SIZE, Errno.OK, Errno.OK, IotlbFailure.NONE);

    public boolean ok() {
        return errno == Errno.OK;
    }
}
