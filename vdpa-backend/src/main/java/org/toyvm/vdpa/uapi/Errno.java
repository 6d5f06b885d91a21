package org.toyvm.vdpa.uapi;

/** The Linux errno values the vhost-vdpa model returns (x86-64 numbering). */
public enum Errno {
    OK(0),
    EPERM(1),
    ENOENT(2),
    EIO(5),
    ENOMEM(12),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    EINVAL(22),
    /** An ioctl the file does not know (-ENOIOCTLCMD, which vfs_ioctl turns into ENOTTY). */
    ENOTTY(25),
    ENOSPC(28),
    EOPNOTSUPP(95),
    ENOBUFS(105);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The symbolic name, or "0" for success (as the uapi console prints it). */
    public String symbol() {
        return this == OK ? "0" : name();
    }
}
