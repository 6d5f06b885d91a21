package org.toyvm.net.vhost;

import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_PERSIST;
import static org.toyvm.vdpa.uapi.VhostUapi.bit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.memory.AddressSpace;
import org.toyvm.net.device.VirtioNetBackend;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;

/**
 * The vhost-vdpa frontend of the VMM's virtio-net device: the order in which QEMU's net/vhost-vdpa.c,
 * hw/net/vhost_net.c, hw/virtio/vhost.c and hw/virtio/virtio.c call the hw/virtio/vhost-vdpa.c ops
 * ({@link VhostVdpaOps}) at the chosen {@link QemuVersion}, with the reset policy deciding what happens
 * to the IOTLB across a guest reset. Each queue pair is one vhost device (queues 2n, 2n+1 → device n);
 * device 0 is the "first", the highest started one the "last".
 *
 * <pre>
 *  init   open; vhost_vdpa_init: [10.1+ GET/SET_BACKEND_FEATURES], ACK|DRIVER;
 *         vhost_vdpa_set_owner: SET_OWNER [10.1+: register the listener = map all RAM]; GET_FEATURES
 *  start  vhost_dev_start per device: SET_FEATURES, +FEATURES_OK [before 10.1: GET/SET_BACKEND_FEATURES],
 *         per queue NUM/BASE/ADDR/KICK/CALL; last device: register the listener unless registered,
 *         +DRIVER_OK; then vhost_net_start: VDPA_SET_VRING_ENABLE per queue
 *  reset  vhost_dev_stop per device: vhost_vdpa_suspend (first device: SUSPEND if acked, else
 *         SET_STATUS 0), GET_VRING_BASE per queue of a device marked suspended (else "ring restore
 *         failed"), vhost_vdpa_reset_status (last device: SET_STATUS 0, ACK|DRIVER); the listener is
 *         unregistered by reset_status before 10.1, by every reset_device from 10.1 — unless the policy
 *         keeps the mappings; then [9.2+] virtio_reset → vhost_reset_device: SET_STATUS 0 again
 * </pre>
 */
public final class VhostVdpaNet implements VirtioNetBackend {
    private static final Logger LOG = LogManager.getLogger(VhostVdpaNet.class);

    private final VhostVdpaDevice dev;
    private final QemuVersion qemu;
    private final ResetPolicy policy;
    private final FrontendCounters counters = new FrontendCounters();
    private final VhostVdpaOps ops;
    private long deviceFeatures;
    private boolean started;
    private List<QueueConfig> startedQueues = List.of();
    private String lastError;
    private FrontendCounters beforeGuest;
    private FrontendCounters atFirstStart;

    /** The newest QEMU ({@link QemuVersion#newest()}), no ioctl trace. */
    public VhostVdpaNet(VhostVdpaDevice dev, AddressSpace as, ResetPolicy policy, IotlbTraceSink trace,
            LongSupplier clock) {
        this(dev, as, QemuVersion.newest(), policy, trace, IoctlTraceSink.NONE, clock);
    }

    public VhostVdpaNet(VhostVdpaDevice dev, AddressSpace as, QemuVersion qemu, ResetPolicy policy,
            IotlbTraceSink trace, IoctlTraceSink ioctls, LongSupplier clock) {
        this.dev = dev;
        this.qemu = qemu;
        this.policy = policy;
        this.ops = new VhostVdpaOps(dev, as, qemu, policy, counters, trace, ioctls, clock);
        init();
    }

    /** The first reset or start is the guest's first touch: what the VMM did before it is the VM start's. */
    private void guestTouches() {
        if (beforeGuest == null) {
            beforeGuest = counters.snapshot();
        }
    }

    /** net_init_vhost_vdpa opens the fd; vhost_dev_init runs vhost_vdpa_init, then SET_OWNER and GET_FEATURES. */
    private void init() {
        ops.check(ops.traced("open", "", "net_init_vhost_vdpa", dev.open()), "open");
        if (qemu.negotiatesBackendFeaturesAtInit()) {
            ops.setBackendCap("vhost_vdpa_init");
        }
        ops.addStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER, "vhost_vdpa_init");
        ops.setOwner();
        deviceFeatures = ops.traced("GET_FEATURES", "", "vhost_vdpa_get_features", dev.getFeatures()).value();
    }

    public QemuVersion qemu() {
        return qemu;
    }

    /** Backend features the kernel offered (0 until the first negotiation: the first start before 10.1). */
    public long offeredBackendFeatures() {
        return ops.offered();
    }

    public long ackedBackendFeatures() {
        return ops.acked();
    }

    public boolean persistAcked() {
        return (ops.acked() & bit(F_IOTLB_PERSIST)) != 0;
    }

    public ResetPolicy policy() {
        return policy;
    }

    public FrontendCounters counters() {
        return counters;
    }

    public boolean listenerRegistered() {
        return ops.listenerRegistered();
    }

    public VhostVdpaDevice device() {
        return dev;
    }

    /**
     * The IOVA the device reaches guest physical address {@code gpa} at, through the mappings this
     * frontend's listener writes (IOVA = GPA, see {@link VhostVdpaListener}).
     */
    public Iova iova(Gpa gpa) {
        return VhostVdpaListener.iovaOf(gpa);
    }

    /**
     * What the frontend had done before the guest first reset or started the device: the VM start's
     * share (10.1+ maps all guest RAM there, when the machine's memory map is committed); the current
     * counts while the guest has not touched it yet.
     */
    public FrontendCounters countersBeforeGuest() {
        return beforeGuest != null ? beforeGuest : counters.snapshot();
    }

    /** What it had done when the guest's first DRIVER_OK had been handled, or null before that. */
    public FrontendCounters countersAtFirstStart() {
        return atFirstStart;
    }

    /** Why the last start failed, or null. */
    public String lastError() {
        return lastError;
    }

    /** The vhost device (queue pair) a virtqueue belongs to. */
    static int deviceOf(int queue) {
        return queue >>> 1;
    }

    // ---------------------------------------------------------------- VirtioNetBackend

    @Override
    public long deviceFeatures() {
        // The guest does not see ACCESS_PLATFORM: without vIOMMU the IOVA is the guest physical address.
        return deviceFeatures & ~VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM);
    }

    @Override
    public int maxQueueSize() {
        return (int) dev.getVringNum().value();
    }

    @Override
    public int numQueues() {
        return (int) dev.getVqsCount().value();
    }

    @Override
    public byte[] readConfig() {
        byte[] cfg = new byte[(int) dev.getConfigSize().value()];
        dev.getConfig(0, cfg);
        return cfg;
    }

    /** vhost_net_start: vhost_dev_start of every device, then VDPA_SET_VRING_ENABLE of every queue. */
    @Override
    public String start(long driverFeatures, List<QueueConfig> queues) {
        guestTouches();
        try {
            List<QueueConfig> ready = new ArrayList<>();
            int last = 0;
            for (QueueConfig q : queues) {
                if (q.ready()) {
                    ready.add(q);
                    last = Math.max(last, deviceOf(q.index()));
                }
            }
            startedQueues = ready;
            for (int d = 0; d <= last; d++) {
                devStart(d, d == last, driverFeatures, ready);
            }
            for (QueueConfig q : ready) {
                ops.check(ops.traced("VDPA_SET_VRING_ENABLE", "vq " + q.index(), "vhost_vdpa_set_vring_enable",
                        dev.setVringEnable(q.index(), true)), "VDPA_SET_VRING_ENABLE");
            }
            started = true;
            lastError = null;
            if (atFirstStart == null) {
                atFirstStart = counters.snapshot();
            }
            return null;
        } catch (IllegalStateException e) {
            lastError = e.getMessage();
            return e.getMessage();
        }
    }

    /** hw/virtio/vhost.c vhost_dev_start of device {@code d}. */
    private void devStart(int d, boolean last, long driverFeatures, List<QueueConfig> ready) {
        if (d == 0) {
            // vhost_dev_set_features → vhost_vdpa_set_features (first device): SET_FEATURES, +FEATURES_OK.
            // The device needs ACCESS_PLATFORM acked to use the IOTLB for its DMA.
            long f = driverFeatures | (deviceFeatures & VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM));
            ops.check(ops.traced("SET_FEATURES", Long.toHexString(f), "vhost_vdpa_set_features", dev.setFeatures(f)),
                    "SET_FEATURES");
            ops.addStatus(VirtioStatus.FEATURES_OK, "vhost_vdpa_set_features");
            if (!qemu.negotiatesBackendFeaturesAtInit()) {
                ops.setBackendCap("vhost_dev_set_features");
            }
        }
        for (QueueConfig q : ready) {
            if (deviceOf(q.index()) == d) {
                virtqueueStart(q);
            }
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
        ops.check(ops.traced("SET_VRING_BASE", vq, "vhost_virtqueue_start", dev.setVringBase(q.index(), 0)),
                "SET_VRING_BASE " + q.index());
        // vhost_vdpa_vq_get_addr hands the kernel desc_phys/avail_phys/used_phys, the addresses the
        // driver wrote. They are IOVAs to the device — it DMAs through the IOTLB, ACCESS_PLATFORM
        // being acked — equal to the GPAs because the listener maps IOVA = GPA (with shadow
        // virtqueues QEMU would pass IOVAs from its iova tree here instead).
        ops.check(ops.traced("SET_VRING_ADDR", vq, "vhost_virtqueue_start", dev.setVringAddr(q.index(),
                iova(q.desc()), iova(q.avail()), iova(q.used()))), "SET_VRING_ADDR " + q.index());
        ops.check(ops.traced("SET_VRING_KICK", vq, "vhost_virtqueue_start", dev.setVringKick(q.index())),
                "SET_VRING_KICK");
        ops.check(ops.traced("SET_VRING_CALL", vq, "vhost_virtqueue_start", dev.setVringCall(q.index())),
                "SET_VRING_CALL");
    }

    /**
     * A guest's QueueNotify: the kick eventfd of vhost device {@code queue >>> 1}'s queue, which the kernel
     * forwards to the parent (vhost_vdpa_virtqueue_kick → kick_vq). Passthrough: the device sees the kick.
     */
    @Override
    public void notify(int queue) {
        if (started) {
            dev.kick(queue);
        }
    }

    /**
     * virtio_reset (a guest's status 0): virtio_set_status(0) stops vhost (vhost_net_stop) if it runs;
     * from 9.2 virtio_reset then calls vhost_reset_device on the NIC's first vhost device whether it ran
     * or not (the back-end is connected from init on).
     */
    @Override
    public void reset() {
        guestTouches();
        if (started) {
            started = false;
            vhostNetStop();
        }
        if (qemu.virtioResetResetsVhostDevice()) {
            counters.virtioResets++;
            ops.resetDevice(0, "virtio_reset > vhost_reset_device");
        }
        LOG.debug("vhost-vdpa reset: QEMU {}, policy {}, persist acked {}, mappings {}", qemu, policy,
                persistAcked(), ops.listenerRegistered() ? "kept" : "unmapped");
    }

    /** vhost_net_stop: vhost_dev_stop of every started device, in order. */
    private void vhostNetStop() {
        int last = 0;
        for (QueueConfig q : startedQueues) {
            last = Math.max(last, deviceOf(q.index()));
        }
        for (int d = 0; d <= last; d++) {
            // vhost_dev_stop: vhost_vdpa_dev_start(false) → vhost_vdpa_suspend, then vhost_virtqueue_stop per
            // queue, then vhost_vdpa_reset_status (which acts for the last device only).
            ops.suspend(d);
            for (QueueConfig q : startedQueues) {
                if (deviceOf(q.index()) == d) {
                    ops.getVringBase(d, q.index());
                }
            }
            if (d == last) {
                ops.resetStatus(d);
            }
        }
    }

    /** Whether a guest reset unmaps guest RAM: legacy always; persist unless IOTLB_PERSIST was acked; naive never. */
    public boolean unmapsAtReset() {
        return !ops.keepsMappingsAtReset();
    }

    /** Status bits the device has now, as a GET_STATUS reads them (tests; an ioctl, so it is charged). */
    public int deviceStatus() {
        return (int) dev.getStatus().value();
    }

    /** Last device cleanup (VM shutdown): vhost_vdpa_cleanup unregisters the listener; close returns every pin. */
    public void close() {
        ops.unregisterListener();
        dev.close();
    }
}
