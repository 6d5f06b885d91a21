package org.toyvm.net.vhost;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;

/**
 * The order of hw/net/vhost_net.c's {@code vhost_net_start} and {@code vhost_net_stop} over the NIC's
 * vhost devices — one per data queue pair (queues 2n, 2n+1 → device n) and, when the guest acked
 * CTRL_VQ, one for the control queue (queue 2N → device N, last) — sharing one fd, listener, IOVA tree
 * and batch state ({@link VhostVdpaOps}). The same in 9.0, 9.2, 10.1 and master except where
 * {@link QemuVersion} says.
 * <pre>
 *  start  per device, data pairs then the CVQ (vhost_net_start_one):
 *           info->start   CVQ: vhost_vdpa_net_cvq_start (shadow it in ASID 1 when isolated)
 *           vhost_dev_start
 *             vhost_dev_set_features: first device SET_FEATURES, +FEATURES_OK (vhost_vdpa_set_features);
 *               before 10.1 vhost_vdpa_set_backend_cap: GET_BACKEND_FEATURES, SET_ only on the first
 *             vhost_virtqueue_start per vq: NUM/BASE/ADDR/KICK/CALL (a shadowed CVQ: NUM only)
 *             vhost_vdpa_dev_start: shadowed CVQ rings (vhost_vdpa_svqs_start); last device: listener, DRIVER_OK
 *           info->load    data: vhost_vdpa_net_data_load enables its own vqs unless the CVQ was acked;
 *                         CVQ: vhost_vdpa_net_cvq_load enables the CVQ, restores the state through it
 *                         (shadowed), then enables every data vq — the data queues start only now
 *  stop   per device in the same order (vhost_net_stop_one): vhost_vdpa_dev_start(false) → SUSPEND on the
 *         first device (vhost_vdpa_suspend), shadow rings unmapped (vhost_vdpa_svqs_stop); GET_VRING_BASE
 *         per vq (none for a shadowed one: vhost_vdpa_get_vring_base reads QEMU's own index);
 *         vhost_vdpa_reset_status on the last device; then info->stop: CVQ buffers unmapped
 * </pre>
 * In shadow-data mode ({@code v->shared->shadow_data}, set by vhost_vdpa_net_data_start while a
 * migration is set up or active; {@link DataShadows}) the data queues are shadowed too: their
 * vhost_virtqueue_start reaches the device with SET_VRING_NUM only, vhost_vdpa_svqs_start gives the
 * device the shadow rings, the CVQ is shadowed in ASID 0 with everything else, and the listener maps
 * guest RAM at IOVAs from the IOVA tree (unless the descriptor ASID keeps it at IOVA = GPA). Every stop
 * keeps each queue's last avail index ({@link #base}): the next start continues from it.
 */
final class VhostNetStart {
    private final VhostVdpaOps ops;
    private final VhostVdpaDevice dev;
    private final QemuVersion qemu;
    /** Backend features set once at init (10.1+, or the early map): not again at each start. */
    private final boolean backendCapAtInit;
    private final ShadowCvq cvq;
    private final DataShadows shadows;
    private final int cvqIndex;
    /** Last avail index per queue, as the last stop kept it. */
    private final int[] bases;
    private boolean shadowData;
    private List<QueueConfig> dataQueues = List.of();
    private int dataDevices;
    private QueueConfig cvqQueue;
    private boolean cvqStarted;

    /** {@code cvq} null and {@code cvqIndex} -1 when the device offers no control queue. */
    VhostNetStart(VhostVdpaOps ops, QemuVersion qemu, boolean backendCapAtInit, ShadowCvq cvq, DataShadows shadows,
            int cvqIndex, int numQueues) {
        this.backendCapAtInit = backendCapAtInit;
        this.ops = ops;
        this.dev = ops.device();
        this.qemu = qemu;
        this.cvq = cvq;
        this.shadows = shadows;
        this.cvqIndex = cvqIndex;
        this.bases = new int[Math.max(0, numQueues)];
    }

    /** Whether the data queues are shadowed now (started in shadow-data mode). */
    boolean shadowData() {
        return shadowData;
    }

    /** Queue {@code q}'s last avail index as the last stop kept it (0 before any stop or out of range). */
    int base(int q) {
        return q >= 0 && q < bases.length ? bases[q] : 0;
    }

    private void keepBase(int q, int base) {
        if (q >= 0 && q < bases.length) {
            bases[q] = base & 0xffff;
        }
    }

    /** The vhost device (queue pair) a data virtqueue belongs to. */
    static int deviceOf(int queue) {
        return queue >>> 1;
    }

    /** The vhost device number of the control queue: after every data pair. */
    private int cvqDevice() {
        return deviceOf(cvqIndex);
    }

    boolean cvqStarted() {
        return cvqStarted;
    }

    /**
     * vhost_net_start for the guest's features and queues: the data devices up to the highest one with
     * a ready queue, and the CVQ device when CTRL_VQ was acked ({@code isolated}: the probe's answer).
     * Answers null, or why the start failed; ioctl failures throw IllegalStateException.
     */
    String start(long driverFeatures, long deviceFeatures, List<QueueConfig> queues, boolean isolated) {
        return start(driverFeatures, deviceFeatures, queues, isolated, false);
    }

    /** As above; {@code shadow}: start in shadow-data mode (vhost_vdpa_net_data_start saw a migration). */
    String start(long driverFeatures, long deviceFeatures, List<QueueConfig> queues, boolean isolated, boolean shadow) {
        shadowData = shadow;
        for (QueueConfig q : queues) {
            keepBase(q.index(), q.base());
        }
        // The listener's layout for this start: tree IOVAs when shadowing without the descriptor ASID.
        ops.listenerMode(shadow && !shadows.descAsidInUse() ? shadows.tree() : null);
        List<QueueConfig> data = new ArrayList<>();
        int lastData = 0;
        QueueConfig cq = null;
        for (QueueConfig q : queues) {
            if (q.index() == cvqIndex) {
                cq = q;
            } else if (q.ready()) {
                data.add(q);
                lastData = Math.max(lastData, deviceOf(q.index()));
            }
        }
        boolean cvqAcked = cvq != null && VirtioFeatures.has(driverFeatures, VirtioFeatures.NET_F_CTRL_VQ);
        dataQueues = data;
        dataDevices = lastData + 1;
        // A control queue the guest did not make ready, or sized so that no two-descriptor command fits
        // (or not a split-ring size at all), is not started: vhost_virtqueue_start skips a vq without rings.
        cvqQueue = cvqAcked && cq != null && cq.ready() && cq.size() >= 2 && SplitRing.validSize(cq.size()) ? cq : null;
        cvqStarted = cvqAcked;
        int lastDevice = cvqAcked ? cvqDevice() : lastData;
        for (int d = 0; d <= lastData; d++) {
            if (shadow) {
                shadows.dataStart(queuesOf(d)); // vhost_vdpa_net_data_start: the descriptor groups' ASID
            }
            devStart(d, d == lastDevice, driverFeatures, deviceFeatures, queuesOf(d), false);
            if (!cvqAcked) {
                enable(queuesOf(d), "vhost_vdpa_net_data_load"); // no CVQ: nothing to wait for
            }
        }
        if (!cvqAcked) {
            kickShadows();
            return null;
        }
        // vhost_vdpa_net_cvq_start: with shadow_data the CVQ goes with everything else into ASID 0 —
        // unless the descriptor ASID left guest RAM at IOVA = GPA there (tree IOVAs would collide).
        cvq.start(isolated && cvqQueue != null, shadow && !shadows.descAsidInUse() && cvqQueue != null);
        devStart(cvqDevice(), true, driverFeatures, deviceFeatures, cvqQueue == null ? List.of() : List.of(cvqQueue),
                cvq.shadowed());
        // vhost_vdpa_net_cvq_load: the CVQ first, the state through it, then the data queues.
        enable(cvqQueue == null ? List.of() : List.of(cvqQueue), "vhost_vdpa_net_cvq_load");
        String err = cvq.load();
        if (err != null) {
            return err;
        }
        enable(dataQueues, "vhost_vdpa_net_cvq_load");
        kickShadows();
        return null;
    }

    /** The SVQs' first kick, once the start is done (the main loop runs the handler after it). */
    private void kickShadows() {
        if (shadowData) {
            shadows.kickPending();
        }
    }

    private List<QueueConfig> queuesOf(int d) {
        List<QueueConfig> l = new ArrayList<>();
        for (QueueConfig q : dataQueues) {
            if (deviceOf(q.index()) == d) {
                l.add(q);
            }
        }
        return l;
    }

    private void enable(List<QueueConfig> qs, String by) {
        for (QueueConfig q : qs) {
            // vhost_vdpa_set_vring_ready
            ops.check(ops.traced("VDPA_SET_VRING_ENABLE", "vq " + q.index(), by + " > vhost_vdpa_set_vring_ready",
                    dev.setVringEnable(q.index(), true)), "VDPA_SET_VRING_ENABLE");
        }
    }

    /** hw/virtio/vhost.c vhost_dev_start of device {@code d}. */
    private void devStart(int d, boolean last, long driverFeatures, long deviceFeatures, List<QueueConfig> qs,
            boolean shadowedCvq) {
        if (d == 0) {
            // vhost_dev_set_features → vhost_vdpa_set_features (first device): SET_FEATURES, +FEATURES_OK.
            // The device needs ACCESS_PLATFORM acked to use the IOTLB for its DMA.
            long f = driverFeatures | (deviceFeatures & VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM));
            ops.check(ops.traced("SET_FEATURES", Long.toHexString(f), "vhost_vdpa_set_features", dev.setFeatures(f)),
                    "SET_FEATURES");
            ops.addStatus(VirtioStatus.FEATURES_OK, "vhost_vdpa_set_features");
        }
        if (!backendCapAtInit) {
            ops.setBackendCap("vhost_dev_set_features", d == 0);
        }
        if (shadowData && !shadowedCvq && !qs.isEmpty()) {
            shadows.startDevice(qs, driverFeatures); // vhost_virtqueue_start (NUM only) + vhost_vdpa_svqs_start
            if (last) {
                ops.devStart();
            }
            return;
        }
        for (QueueConfig q : qs) {
            if (shadowedCvq) {
                // vhost_virtqueue_start of a shadowed vq: only vhost_vdpa_set_vring_num reaches the device;
                // base, address, kick and call are the shadow's, given by vhost_vdpa_svqs_start below.
                ops.check(ops.traced("SET_VRING_NUM", "vq " + q.index(), "vhost_virtqueue_start",
                        dev.setVringNum(q.index(), q.size())), "SET_VRING_NUM " + q.index());
            } else {
                virtqueueStart(q);
            }
        }
        if (shadowedCvq && !qs.isEmpty()) {
            cvq.startRings(qs.get(0)); // vhost_vdpa_dev_start → vhost_vdpa_svqs_start
        }
        if (last) {
            ops.devStart();
        }
    }

    /** vhost_virtqueue_start: NUM, BASE, ADDR, KICK, CALL. */
    private void virtqueueStart(QueueConfig q) {
        String vq = "vq " + q.index();
        ops.check(ops.traced("SET_VRING_NUM", vq, "vhost_virtqueue_start", dev.setVringNum(q.index(), q.size())),
                "SET_VRING_NUM " + q.index());
        // The guest's last avail index: 0 on a fresh start, the kept or migrated one after a stop.
        ops.check(ops.traced("SET_VRING_BASE", vq, "vhost_virtqueue_start", dev.setVringBase(q.index(), q.base())),
                "SET_VRING_BASE " + q.index());
        // vhost_vdpa_vq_get_addr hands the kernel desc_phys/avail_phys/used_phys, the addresses the
        // driver wrote. They are IOVAs to the device — it DMAs through the IOTLB, ACCESS_PLATFORM
        // being acked — equal to the GPAs because the listener maps IOVA = GPA in address space 0.
        ops.check(ops.traced("SET_VRING_ADDR", vq, "vhost_virtqueue_start", dev.setVringAddr(q.index(),
                VhostVdpaListener.iovaOf(q.desc()), VhostVdpaListener.iovaOf(q.avail()),
                VhostVdpaListener.iovaOf(q.used()))), "SET_VRING_ADDR " + q.index());
        ops.check(ops.traced("SET_VRING_KICK", vq, "vhost_virtqueue_start", dev.setVringKick(q.index())),
                "SET_VRING_KICK");
        ops.check(ops.traced("SET_VRING_CALL", vq, "vhost_virtqueue_start", dev.setVringCall(q.index())),
                "SET_VRING_CALL");
    }

    /** vhost_net_stop: vhost_dev_stop (and info->stop) of every started device, data pairs then the CVQ. */
    void stop() {
        int lastDevice = cvqStarted ? cvqDevice() : dataDevices - 1;
        for (int d = 0; d < dataDevices; d++) {
            ops.suspend(d);
            if (shadowData) {
                // vhost_vdpa_svqs_stop; vhost_vdpa_get_vring_base answers the SVQ's index, no ioctl.
                for (java.util.Map.Entry<Integer, Integer> e : shadows.stopDevice(queuesOf(d)).entrySet()) {
                    keepBase(e.getKey(), e.getValue());
                }
            } else {
                for (QueueConfig q : queuesOf(d)) {
                    int b = ops.getVringBase(d, q.index());
                    // vhost_virtqueue_stop: "ring restore failed" → virtio_queue_restore_last_avail_idx
                    keepBase(q.index(), b >= 0 ? b : ops.guestUsedIdx(q.used()));
                }
            }
            if (d == lastDevice) {
                ops.resetStatus(d);
            }
        }
        if (!cvqStarted) {
            return;
        }
        int d = cvqDevice();
        ops.suspend(d); // not the first device: nothing
        boolean shadowed = cvq.shadowed();
        if (shadowed) {
            int b = cvq.stopRings(); // vhost_vdpa_dev_start(false) → vhost_vdpa_svqs_stop
            if (cvqQueue != null) {
                keepBase(cvqQueue.index(), b);
            }
        } else if (cvqQueue != null) {
            int b = ops.getVringBase(d, cvqQueue.index());
            keepBase(cvqQueue.index(), b >= 0 ? b : ops.guestUsedIdx(cvqQueue.used()));
        }
        ops.resetStatus(d);
        cvq.stop(); // info->stop: vhost_vdpa_net_cvq_stop
        cvqStarted = false;
    }

    /** Whether queue {@code q} is the control queue and QEMU shadows it now. */
    boolean shadows(int q) {
        return cvqStarted && q == cvqIndex && cvq.shadowed();
    }

    /** Whether queue {@code q} is a data queue QEMU shadows now (shadow-data mode). */
    boolean shadowsData(int q) {
        return shadowData && q != cvqIndex && shadows.shadows(q);
    }
}
