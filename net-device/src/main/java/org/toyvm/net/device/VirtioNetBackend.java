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

    /** The guest reset the device (status 0) after it was started, or before: stop and reset. */
    void reset();

    /**
     * The guest wrote {@code queue} (below {@link #numQueues()}) to QueueNotify: a kick that trapped
     * to the VMM (virtio_mmio_write → virtio_queue_notify). The backend handles it itself (a shadowed
     * queue) or forwards it to the device.
     */
    void notify(int queue);

    /**
     * One virtqueue as the guest configured it: its three ring areas as the guest physical addresses
     * the driver wrote (QueueDesc, QueueDriver, QueueDevice), unchecked — any 64-bit value.
     */
    record QueueConfig(int index, int size, Gpa desc, Gpa avail, Gpa used, boolean ready) {
    }
}
