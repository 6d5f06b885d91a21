package org.toyvm.hw.net;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.hw.queue.SplitQueue;

/**
 * One virtqueue of the NIC: the device-side {@link SplitQueue} and what virtio-net does with it
 * (transmit, receive or control). The NIC schedules {@link #process()} on its event loop after a
 * kick, once per kick however many arrive before it runs.
 */
abstract class NetQueue {
    private static final Logger LOG = LogManager.getLogger(VirtioNetNic.class);
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
            runGuarded();
        };
    }

    /** A kick: processing is queued on the event loop, once however many kicks arrive before it runs. */
    final void kick() {
        if (!scheduled) {
            scheduled = true;
            nic.scheduler().execute(task);
        }
    }

    /** Processes the queue if it accepts work now; nothing the guest writes may escape to the event loop. */
    final void runGuarded() {
        if (!nic.accepting(this)) {
            return;
        }
        try {
            process();
        } catch (RuntimeException e) {
            // An unexpected failure is a device error.
            LOG.warn("virtio-net queue {} failed: {}", index(), e.toString());
            nic.needsReset("internal error on queue " + index() + ": " + e);
        }
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

    /**
     * Opens a kick on the queue with the negotiated ring features: its rings through the address space
     * of its descriptor group, its buffers through its group's (the same unless the parent separated them).
     */
    final void beginKick() {
        q.beginKick(nic.ringAsidOf(index()), nic.asidOf(index()), nic.has(VirtioFeatures.RING_F_INDIRECT_DESC),
                nic.has(VirtioFeatures.RING_F_EVENT_IDX));
    }

    /** Closes the kick, interrupting the guest unless it asked not to be. */
    final void endKick() {
        if (q.endKick()) {
            nic.notifyUsed(index());
        }
    }
}
