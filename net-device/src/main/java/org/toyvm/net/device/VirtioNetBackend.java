package org.toyvm.net.device;

import java.util.List;
import org.toyvm.core.addr.Gpa;

/**
 * What the guest-facing virtio-net device asks of the thing that really runs the datapath — here
 * the vhost-vdpa frontend (QEMU's vhost_net on top of vhost-vdpa). Every call runs synchronously in
 * the vCPU's MMIO exit, under the equivalent of QEMU's big lock: its modelled cost is time the
 * guest's vCPU stays frozen.
 */
public interface VirtioNetBackend {
    /** Virtio features the backend's device offers (what the guest may negotiate). */
    long deviceFeatures();

    /** Largest queue size the backend supports. */
    int maxQueueSize();

    /** Number of virtqueues the guest may configure (rx/tx pairs and the control queue). */
    int numQueues();

    /** Device config space as the backend's device reports it (virtio_net_config). */
    byte[] readConfig();

    /**
     * The guest set DRIVER_OK: start the datapath with the negotiated features and the queues the
     * guest enabled. Answers null on success, or a one-line reason the device could not start (the
     * device then sets NEEDS_RESET).
     */
    String start(long driverFeatures, List<QueueConfig> queues);

    /**
     * The guest wrote queue {@code queue} (checked below {@link #numQueues()}) to QueueNotify after the
     * backend started: QEMU's virtio_queue_notify sets the queue's host notifier, which for vhost is
     * the kick eventfd the kernel forwards to the device (vhost_vdpa_virtqueue_kick). Data queues
     * normally kick through the doorbell page instead; the control queue kicks here (a shadowing
     * frontend intercepts it here).
     */
    void notify(int queue);

    /** The guest reset the device (status 0) after it was started, or before: stop and reset. */
    void reset();

    /**
     * The VM runs again (virtio_vmstate_change → vhost_net_start) with a guest that had set DRIVER_OK:
     * start the datapath from each queue's {@link QueueConfig#base}, without the guest's feature
     * negotiation (the device model keeps what it holds). A plain backend starts as at DRIVER_OK.
     */
    default String vmStart(long driverFeatures, List<QueueConfig> queues) {
        return start(driverFeatures, queues);
    }

    /**
     * The VM stopped (virtio_vmstate_change → virtio_net_set_status → vhost_net_stop): stop the datapath
     * without a virtio reset — the guest's status stays DRIVER_OK — and keep each queue's last avail
     * index for {@link #vringBase}. A backend with nothing to stop does nothing.
     */
    default void vmStop() {
    }

    /**
     * Queue {@code queue}'s last avail index as the last stop read it (GET_VRING_BASE, the shadow
     * virtqueue's index, or the guest's used index when the device could not be trusted); the base
     * the queue was last started with when it has not been stopped since; 0 before any start.
     */
    default int vringBase(int queue) {
        return 0;
    }

    /**
     * virtio_load's ring checks of a loaded queue against the guest's memory (RAM arrives before the
     * device state): null, or why the queue's index cannot be the guest's ("Guest index ...
     * inconsistent with Host index", "size < last_avail_idx - used_idx"). A backend without access
     * to guest memory accepts.
     */
    default String checkLoadedRing(QueueConfig q) {
        return null;
    }

    /** What the VMM's device model holds of the guest's control commands (migrated with the device). */
    default VirtioNetState.Ctrl ctrlState() {
        return null;
    }

    /**
     * The destination's device model takes the migrated control state (virtio-net's post_load); the
     * next start replays it into the device. Answers null, or why it was refused (nothing changed).
     */
    default String loadCtrlState(VirtioNetState.Ctrl ctrl, long driverFeatures) {
        return null;
    }

    /**
     * One virtqueue as the guest configured it: its three ring areas as the guest physical addresses
     * the driver wrote (QueueDesc, QueueDriver, QueueDevice), unchecked — any 64-bit value — and the
     * index the device starts from ({@code base}, SET_VRING_BASE: 0 on a fresh start, the migrated or
     * saved last avail index after a stop; 16 bits).
     */
    record QueueConfig(int index, int size, Gpa desc, Gpa avail, Gpa used, boolean ready, int base) {
        /** A fresh start: base 0. */
        public QueueConfig(int index, int size, Gpa desc, Gpa avail, Gpa used, boolean ready) {
            this(index, size, desc, avail, used, ready, 0);
        }

        /** The same queue started from {@code newBase}. */
        public QueueConfig withBase(int newBase) {
            return new QueueConfig(index, size, desc, avail, used, ready, newBase & 0xffff);
        }
    }
}
