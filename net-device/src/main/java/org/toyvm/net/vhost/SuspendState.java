package org.toyvm.net.vhost;

import java.util.BitSet;

/**
 * Which vhost devices (queue pairs) of the NIC QEMU believes suspended. Before master each
 * {@code struct vhost_vdpa} had its own flag: {@code vhost_vdpa_suspend} returns early for all but the
 * first device, so only device 0 was ever marked, and {@code vhost_vdpa_get_vring_base} of every other
 * device found it false. On master the flag is {@code VhostVDPAShared::suspended}: one for the NIC
 * ({@link QemuVersion#sharesSuspendedState()}). With one queue pair both read the same; with several
 * (issue 14) the per-device form makes the other pairs skip GET_VRING_BASE.
 */
final class SuspendState {
    private final boolean shared;
    private boolean sharedFlag;
    private final BitSet perDevice = new BitSet();

    SuspendState(QemuVersion qemu) {
        this.shared = qemu.sharesSuspendedState();
    }

    /** {@code v->suspended = true} (or {@code v->shared->suspended}) after a SUSPEND that succeeded. */
    void markSuspended(int device) {
        if (shared) {
            sharedFlag = true;
        } else {
            perDevice.set(device);
        }
    }

    /** What {@code vhost_vdpa_get_vring_base} of {@code device} reads. */
    boolean isSuspended(int device) {
        return shared ? sharedFlag : perDevice.get(device);
    }

    /** {@code vhost_vdpa_reset_device} of {@code device} clears its flag (the shared one on master). */
    void clear(int device) {
        if (shared) {
            sharedFlag = false;
        } else {
            perDevice.clear(device);
        }
    }
}
