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
     * One virtqueue as the guest configured it: its three ring areas as the guest physical addresses
     * the driver wrote (QueueDesc, QueueDriver, QueueDevice), unchecked — any 64-bit value.
     */
    record QueueConfig(int index, int size, Gpa desc, Gpa avail, Gpa used, boolean ready) {
    }
}
