package org.toyvm.vdpa.kernel;

/**
 * The ioctls the model answers, each with the checks its path through drivers/vhost/vdpa.c makes
 * before it touches anything. {@link Scope#DEVICE}: handled in {@code vhost_vdpa_unlocked_ioctl}
 * itself, no owner check. {@link Scope#VRING}: passed to {@code vhost_dev_ioctl}, which calls
 * {@code vhost_dev_check_owner} (-EPERM), then on to {@code vhost_vdpa_vring_ioctl}, which reads the
 * u32 index and refuses {@code idx >= v->nvqs} (-ENOBUFS).
 */
enum VhostIoctl {
    VHOST_SET_OWNER(Scope.DEVICE),
    VHOST_GET_FEATURES(Scope.DEVICE),
    VHOST_SET_FEATURES(Scope.DEVICE),
    VHOST_GET_BACKEND_FEATURES(Scope.DEVICE),
    VHOST_SET_BACKEND_FEATURES(Scope.DEVICE),
    VHOST_VDPA_GET_DEVICE_ID(Scope.DEVICE),
    VHOST_VDPA_GET_STATUS(Scope.DEVICE),
    VHOST_VDPA_SET_STATUS(Scope.DEVICE),
    VHOST_VDPA_GET_CONFIG(Scope.DEVICE),
    VHOST_VDPA_SET_CONFIG(Scope.DEVICE),
    VHOST_VDPA_GET_VRING_NUM(Scope.DEVICE),
    VHOST_VDPA_GET_IOVA_RANGE(Scope.DEVICE),
    VHOST_VDPA_GET_CONFIG_SIZE(Scope.DEVICE),
    VHOST_VDPA_GET_VQS_COUNT(Scope.DEVICE),
    VHOST_VDPA_GET_AS_NUM(Scope.DEVICE),
    VHOST_VDPA_GET_GROUP_NUM(Scope.DEVICE),
    VHOST_VDPA_SUSPEND(Scope.DEVICE),
    VHOST_VDPA_RESUME(Scope.DEVICE),
    VHOST_SET_VRING_NUM(Scope.VRING),
    VHOST_SET_VRING_ADDR(Scope.VRING),
    VHOST_SET_VRING_BASE(Scope.VRING),
    VHOST_GET_VRING_BASE(Scope.VRING),
    VHOST_SET_VRING_KICK(Scope.VRING),
    VHOST_SET_VRING_CALL(Scope.VRING),
    VHOST_VDPA_SET_VRING_ENABLE(Scope.VRING),
    VHOST_VDPA_GET_VRING_GROUP(Scope.VRING),
    /** 6.7+; before, the {@link #UNKNOWN} path. */
    VHOST_VDPA_GET_VRING_DESC_GROUP(Scope.VRING),
    /** Its {@code vhost_vring_state.index} is the group, checked against the queues first. */
    VHOST_VDPA_SET_GROUP_ASID(Scope.VRING),
    /**
     * An ioctl vhost_vdpa_unlocked_ioctl does not know (VHOST_VDPA_RESUME before 6.4,
     * VHOST_VDPA_GET_VRING_DESC_GROUP before 6.7): the default
     * branch, so vhost_dev_ioctl's owner check and vhost_vdpa_vring_ioctl's index check, then
     * -ENOIOCTLCMD (ENOTTY).
     */
    UNKNOWN(Scope.VRING);

    /** Which entry checks the ioctl goes through. */
    enum Scope { DEVICE, VRING }

    private final Scope scope;

    VhostIoctl(Scope scope) {
        this.scope = scope;
    }

    Scope scope() {
        return scope;
    }
}
