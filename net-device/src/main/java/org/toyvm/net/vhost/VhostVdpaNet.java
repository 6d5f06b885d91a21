package org.toyvm.net.vhost;

import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_PERSIST;
import static org.toyvm.vdpa.uapi.VhostUapi.bit;

import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.memory.AddressSpace;
import org.toyvm.net.device.VirtioNetBackend;
import org.toyvm.net.device.VirtioNetState;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;

/**
 * The vhost-vdpa frontend of the VMM's virtio-net device: the order in which QEMU's net/vhost-vdpa.c,
 * hw/net/vhost_net.c, hw/virtio/vhost.c and hw/virtio/virtio.c call the hw/virtio/vhost-vdpa.c ops
 * ({@link VhostVdpaOps}) at the chosen {@link QemuVersion}, with the reset policy deciding what happens
 * to the IOTLB across a guest reset. Each queue pair is one vhost device (queues 2n, 2n+1 → device n)
 * and the control queue, when the device offers CTRL_VQ, one more (the last virtqueue → device N);
 * device 0 is the "first", the highest started one the "last" ({@link VhostNetStart} has the start
 * and stop order, {@link ShadowCvq} the control queue QEMU shadows in address space 1).
 *
 * <pre>
 *  init   open; vhost_vdpa_init: [10.1+ GET/SET_BACKEND_FEATURES], ACK|DRIVER;
 *         vhost_vdpa_set_owner: SET_OWNER; GET_FEATURES (one per further data device's vhost_dev_init);
 *         with CTRL_VQ offered: vhost_vdpa_probe_cvq_isolation (ends in SET_STATUS 0), GET_FEATURES;
 *         [10.1+: the listener registered = all RAM mapped, where QEMU's RAM appears]
 *  start  vhost_net_start ({@link VhostNetStart}): data devices, then the CVQ device when CTRL_VQ was
 *         acked; the last one registers the listener (unless registered) and sets DRIVER_OK; the data
 *         queues are enabled by each device's load, or after the CVQ's state load when there is one
 *  reset  vhost_net_stop: vhost_dev_stop per device: vhost_vdpa_suspend (first device: SUSPEND if acked,
 *         else SET_STATUS 0), GET_VRING_BASE per queue of a device marked suspended (else "ring restore
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
    private final MigrationTechniques techniques;
    private final AddressSpace guestMemory;
    private IovaTree tree;
    private DataShadows shadows;
    private IntConsumer guestNotifier = q -> { };
    /** migration_is_setup_or_active() as the log_global notifier tells it: starts shadow the data queues. */
    private boolean migrating;
    private long startedFeatures;
    private List<QueueConfig> startedQueues = List.of();
    private int dataPairs;
    private int cvqIndex = -1;
    private NetCtrlModel model;
    private ShadowCvq cvq;
    private VhostNetStart order;
    private long deviceFeatures;
    private boolean cvqIsolated;
    private boolean started;
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
        this(dev, as, qemu, policy, MigrationTechniques.NONE, trace, ioctls, clock);
    }

    /** With Si-Wei Liu's migration techniques ({@link MigrationTechniques}) on top of {@code qemu}. */
    public VhostVdpaNet(VhostVdpaDevice dev, AddressSpace as, QemuVersion qemu, ResetPolicy policy,
            MigrationTechniques techniques, IotlbTraceSink trace, IoctlTraceSink ioctls, LongSupplier clock) {
        this.dev = dev;
        this.qemu = qemu;
        this.policy = policy;
        this.techniques = techniques;
        this.ops = new VhostVdpaOps(dev, as, qemu, policy, techniques, counters, trace, ioctls, clock);
        this.guestMemory = as;
        init();
    }

    /** The first reset or start is the guest's first touch: what the VMM did before it is the VM start's. */
    private void guestTouches() {
        if (beforeGuest == null) {
            beforeGuest = counters.snapshot();
        }
    }

    /**
     * net_init_vhost_vdpa opens the fd; the first data device's vhost_dev_init runs vhost_vdpa_init,
     * SET_OWNER and GET_FEATURES (the other devices' vhost_vdpa_init and set_owner return at once for
     * a device that is not the first; each reads the features). With a control queue offered, the CVQ
     * client's net_vhost_vdpa_init first probes its isolation ({@link CvqIsolationProbe}).
     */
    /**
     * Backend features set once, in vhost_vdpa_init: 10.1+ (8f0b6836a0d8), or the early map on any release
     * (mapping before the start needs BATCH acked first — Si-Wei Liu on E. Pérez's RFC, 3 Nov 2023).
     */
    private boolean backendCapAtInit() {
        return qemu.negotiatesBackendFeaturesAtInit() || techniques.earlyMap();
    }

    private void init() {
        ops.check(ops.traced("open", "", "net_init_vhost_vdpa", dev.open()), "open");
        if (backendCapAtInit()) {
            ops.setBackendCap("vhost_vdpa_init");
        }
        ops.addStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER, "vhost_vdpa_init");
        ops.setOwner();
        deviceFeatures = ops.traced("GET_FEATURES", "", "vhost_vdpa_get_features", dev.getFeatures()).value();
        // net_init_vhost_vdpa: has_cvq from the device's features (the control queue is the last
        // virtqueue); the pairs from the device (vhost_vdpa_get_max_queue_pairs reads the config).
        int nvqs = numQueues();
        boolean hasCvq = VirtioFeatures.has(deviceFeatures, VirtioFeatures.NET_F_CTRL_VQ) && nvqs % 2 == 1;
        cvqIndex = hasCvq ? nvqs - 1 : -1;
        dataPairs = Math.max(1, nvqs / 2);
        model = new NetCtrlModel(configMac());
        // One IOVA tree per NIC, shared by the shadow CVQ, the shadow data rings and (shadow_data) the
        // listener: vhost_iova_tree_new over the device's IOVA range (created once from 10.1).
        tree = new IovaTree(dev.iovaRange());
        cvq = hasCvq ? new ShadowCvq(ops, guestMemory, tree, model, counters, cvqIndex) : null;
        shadows = new DataShadows(ops, guestMemory, tree);
        order = new VhostNetStart(ops, qemu, backendCapAtInit(), cvq, shadows, cvqIndex, nvqs);
        for (int d = 1; d < dataPairs; d++) {
            ops.traced("GET_FEATURES", "", "vhost_vdpa_get_features", dev.getFeatures());
        }
        if (cvqIndex >= 0) {
            cvqIsolated = CvqIsolationProbe.probe(ops, deviceFeatures, cvqIndex);
            ops.traced("GET_FEATURES", "", "vhost_vdpa_get_features", dev.getFeatures());
        }
        ops.registerListenerAfterSetOwner();
    }

    /** The MAC in the device's config space: QEMU's n->mac after virtio_net_reset (vhost-vdpa's config). */
    private long configMac() {
        byte[] cfg = readConfig();
        long mac = 0;
        for (int i = 0; i < VirtioNet.ETH_ALEN && VirtioNet.CONFIG_MAC + i < cfg.length; i++) {
            mac = (mac << 8) | (cfg[VirtioNet.CONFIG_MAC + i] & 0xff);
        }
        return mac;
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
        Iova mapped = ops.listener().iovaOf(gpa, 1);
        return mapped != null ? mapped : VhostVdpaListener.iovaOf(gpa);
    }

    public MigrationTechniques techniques() {
        return techniques;
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

    /**
     * Whether the control queue is in a virtqueue group of its own with a second address space
     * ({@link CvqIsolationProbe}); false when the device has no control queue.
     */
    public boolean cvqIsolated() {
        return cvqIsolated;
    }

    /** Whether QEMU shadows the control queue now (started, CTRL_VQ acked, isolated). */
    public boolean cvqShadowed() {
        return order.shadows(cvqIndex);
    }

    /**
     * Where used-buffer notifications of the shadowed control queue go (QEMU's virtio_notify for the
     * guest's CVQ, called with the queue index); none by default.
     */
    public void setGuestNotifier(IntConsumer notifier) {
        guestNotifier = notifier == null ? q -> { } : notifier;
        shadows.setGuestNotifier(guestNotifier);
        if (cvq != null) {
            cvq.setGuestNotifier(notifier);
        }
    }

    /** Whether the data queues are shadowed now (started during a migration). */
    public boolean shadowsData() {
        return started && order.shadowData();
    }

    /**
     * net/vhost-vdpa.c vhost_vdpa_net_log_global_enable (9.0 through master; called by the migration
     * notifier on MIG_EVENT_PRECOPY_SETUP with true and MIG_EVENT_PRECOPY_FAILED with false): when vhost
     * runs and the mode differs, a full vhost_net_stop (suspend, bases, reset) and vhost_net_start,
     * whose vhost_vdpa_net_data_start reads the migration state to decide on shadowing. Answers null,
     * or why the restart failed (the devices stay as the failed start left them).
     */
    public String logGlobalEnable(boolean enable) {
        migrating = enable;
        if (!started || order.shadowData() == enable) {
            return null; // !n->vhost_started, or already in the wanted mode
        }
        order.stop();
        return restart();
    }

    /** vhost_net_start again with the queues of the last start, each from the index the stop kept. */
    private String restart() {
        List<QueueConfig> qs = new java.util.ArrayList<>();
        for (QueueConfig q : startedQueues) {
            qs.add(q.withBase(order.base(q.index())));
        }
        return startDevices(startedFeatures, qs);
    }

    /**
     * The NIC's call eventfd of {@code queue}: a shadowed data queue's goes to its SVQ
     * (vhost_svq_handle_call → vhost_svq_flush), which may then notify the guest; the shadowed CVQ
     * was polled already; any other queue's is the guest notifier itself (the irqfd).
     */
    public void deviceCall(int queue) {
        if (order.shadowsData(queue)) {
            if (shadows.deviceCall(queue)) {
                guestNotifier.accept(queue);
            }
        } else if (!order.shadows(queue)) {
            guestNotifier.accept(queue);
        }
    }

    /** QEMU's device model of the guest's control state: curr_queue_pairs (1 after a reset). */
    public int currQueuePairs() {
        return model.currQueuePairs;
    }

    /** QEMU's device model of the guest's control state: the MAC (48 bits). */
    public long modelMac() {
        return model.mac;
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

    /** vhost_net_start ({@link VhostNetStart}): every device, data pairs then the CVQ. */
    @Override
    public String start(long driverFeatures, List<QueueConfig> queues) {
        guestTouches();
        model.setFeatures(driverFeatures); // virtio_net_set_features, at FEATURES_OK
        return startDevices(driverFeatures, queues);
    }

    /**
     * virtio_vmstate_change(running) → vhost_net_start of a device the guest had started: the model
     * keeps its state (loaded on a destination), the queues start from their bases; shadowed only
     * while this side migrates (a destination does not: it starts in passthrough).
     */
    @Override
    public String vmStart(long driverFeatures, List<QueueConfig> queues) {
        return started ? null : startDevices(driverFeatures, queues);
    }

    /** virtio_vmstate_change(stopped) → vhost_net_stop: no virtio reset, the model keeps its state. */
    @Override
    public void vmStop() {
        if (started) {
            started = false;
            order.stop();
        }
    }

    @Override
    public int vringBase(int queue) {
        return order.base(queue);
    }

    /** virtio_load's ring checks ({@link LoadedRingCheck}). */
    @Override
    public String checkLoadedRing(QueueConfig q) {
        return LoadedRingCheck.check(ops, q);
    }

    @Override
    public VirtioNetState.Ctrl ctrlState() {
        return model.save();
    }

    @Override
    public String loadCtrlState(VirtioNetState.Ctrl ctrl, long driverFeatures) {
        return model.load(ctrl, driverFeatures);
    }

    private String startDevices(long driverFeatures, List<QueueConfig> queues) {
        startedFeatures = driverFeatures;
        startedQueues = List.copyOf(queues);
        try {
            String err = order.start(driverFeatures, deviceFeatures, queues, cvqIsolated, migrating);
            started = true; // a failed load leaves the devices started: the guest's reset stops them
            if (err != null) {
                lastError = err;
                return err;
            }
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

    /**
     * The guest's QueueNotify: the shadowed control queue is QEMU's to run (vhost_handle_guest_kick →
     * vhost_vdpa_net_handle_ctrl_avail); any other queue's kick goes to the device's kick eventfd (the
     * ioeventfd vhost wired to it).
     */
    @Override
    public void notify(int queue) {
        if (order.shadows(queue)) {
            cvq.guestKick();
        } else if (order.shadowsData(queue)) {
            shadows.guestKick(queue); // vhost_handle_guest_kick of the data SVQ
        } else if (started) {
            dev.kick(queue);
        }
    }

    /**
     * virtio_reset (a guest's status 0): virtio_set_status(0) stops vhost (vhost_net_stop) if it runs;
     * from 9.2 virtio_reset then calls vhost_reset_device on the NIC's first vhost device whether it ran
     * or not (the back-end is connected from init on). virtio_net_reset resets the device model.
     */
    @Override
    public void reset() {
        guestTouches();
        if (started) {
            started = false;
            order.stop();
        }
        if (qemu.virtioResetResetsVhostDevice()) {
            counters.virtioResets++;
            ops.resetDevice(0, "virtio_reset > vhost_reset_device");
        }
        model.reset();
        LOG.debug("vhost-vdpa reset: QEMU {}, policy {}, persist acked {}, mappings {}", qemu, policy,
                persistAcked(), ops.listenerRegistered() ? "kept" : "unmapped");
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
