package org.toyvm.hw.net;

import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.hw.queue.SplitQueue;

/**
 * One virtqueue of the NIC: the device-side {@link SplitQueue} and what virtio-net does with it
 * (transmit, receive or control). The NIC schedules {@link #process()} on its event loop after a
 * kick, once per kick however many arrive before it runs.
 */
abstract class NetQueue {
    final VirtioNetNic nic;
    final SplitQueue q;
    /** A process task is queued on the event loop. */
    boolean scheduled;
    /** The processing task (made once: a kick allocates nothing). */
    final Runnable task;
    /** An enable issued but not yet reached the device (see {@link VirtioNetNic#setVqReady}). */
    final PendingEffect enable;

    NetQueue(VirtioNetNic nic, int index) {
        this.nic = nic;
        this.q = new SplitQueue(index, VirtioNetNic.MAX_QUEUE_SIZE, nic.dma(), nic::needsReset);
        this.enable = new PendingEffect(nic.scheduler());
        this.task = () -> {
            scheduled = false;
            nic.process(this);
        };
    }

    int index() {
        return q.index();
    }

    /** The queue pair of a data queue (rx 2k, tx 2k+1). */
    final int pair() {
        return index() >>> 1;
    }

    /** Processes what the driver made available; called only while the device runs and the queue is ready. */
    abstract void process();

    /** DRIVER_OK: take what the queue needs to run. */
    void start() {
    }

    /** The device stops (reset or NEEDS_RESET): give back every buffer held. */
    void releaseBuffers() {
    }

    /** Device reset (§2.4): buffers back, the queue forgotten. */
    void reset() {
        enable.cancel();
        releaseBuffers();
        q.clear();
        scheduled = false;
    }

    /** Opens a kick on the queue with the address space of its group and the negotiated ring features. */
    final void beginKick() {
        q.beginKick(nic.asidOf(index()), nic.has(VirtioFeatures.RING_F_INDIRECT_DESC),
                nic.has(VirtioFeatures.RING_F_EVENT_IDX));
    }

    /** Closes the kick, interrupting the guest unless it asked not to be. */
    final void endKick() {
        if (q.endKick()) {
            nic.notifyUsed(index());
        }
    }
}
