package org.toyvm.net.vhost;

import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_ASID;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_BATCH;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_MSG_V2;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_PERSIST;
import static org.toyvm.vdpa.uapi.VhostUapi.F_SUSPEND;
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
import org.toyvm.vdpa.kernel.IoctlResult;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;

/**
 * The vhost-vdpa frontend of the VMM's virtio-net device (QEMU net/vhost-vdpa.c + hw/virtio/vhost-vdpa.c,
 * 9.x order), with the reset policy deciding what happens to the IOTLB across a guest reset.
 *
 * <pre>
 *  init   open, SET_OWNER, GET/SET_BACKEND_FEATURES, GET_FEATURES, status ACK|DRIVER
 *  start  SET_FEATURES, +FEATURES_OK, per queue NUM/BASE/ADDR/KICK/CALL,
 *         listener register (BATCH_BEGIN, UPDATE per section, BATCH_END) unless still registered,
 *         +DRIVER_OK, VDPA_SET_VRING_ENABLE per queue
 *  reset  SUSPEND (if acked) or reset, GET_VRING_BASE per queue, status 0, ACK|DRIVER,
 *         then unregister the listener (INVALIDATE per section) — or keep the mappings, by policy
 * </pre>
 */
public final class VhostVdpaNet implements VirtioNetBackend {
    private static final Logger LOG = LogManager.getLogger(VhostVdpaNet.class);
    /** What QEMU 9.x asks for: MSG_V2 | BATCH | ASID | SUSPEND, masked by what the kernel offers. */
    static final long QEMU_BACKEND_FEATURES = bit(F_IOTLB_MSG_V2) | bit(F_IOTLB_BATCH) | bit(F_IOTLB_ASID)
            | bit(F_SUSPEND);

    private final VhostVdpaDevice dev;
    private final AddressSpace as;
    private final ResetPolicy policy;
    private final FrontendCounters counters = new FrontendCounters();
    private final VhostVdpaListener listener;
    private long offered;
    private long acked;
    private long deviceFeatures;
    private boolean listenerRegistered;
    private boolean started;
    private List<QueueConfig> startedQueues = List.of();
    private String lastError;

    public VhostVdpaNet(VhostVdpaDevice dev, AddressSpace as, ResetPolicy policy, IotlbTraceSink trace,
            LongSupplier clock) {
        this.dev = dev;
        this.as = as;
        this.policy = policy;
        init();
        this.listener = new VhostVdpaListener(dev, (acked & bit(F_IOTLB_BATCH)) != 0, trace, clock, counters);
    }

    private void check(IoctlResult r, String what) {
        if (!r.ok()) {
            throw new IllegalStateException("vhost-vdpa " + what + " failed: " + r.errno() + " (" + dev.lastDetail() + ")");
        }
    }

    private void init() {
        check(dev.open(), "open");
        check(dev.setOwner(), "SET_OWNER");
        offered = dev.getBackendFeatures().value();
        long want = QEMU_BACKEND_FEATURES;
        if (policy == ResetPolicy.PERSIST) {
            want |= bit(F_IOTLB_PERSIST);
        }
        acked = want & offered;
        check(dev.setBackendFeatures(acked), "SET_BACKEND_FEATURES");
        deviceFeatures = dev.getFeatures().value();
        addStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER);
    }

    /** add_status: set bits and read back; a bit that does not stick is EIO. */
    private void addStatus(int bits) {
        int s = (int) dev.getStatus().value();
        check(dev.setStatus(s | bits), "SET_STATUS");
        int back = (int) dev.getStatus().value();
        if ((back & bits) != bits) {
            throw new IllegalStateException("vhost-vdpa: status bits " + VirtioStatus.describe(bits)
                    + " did not stick (EIO)");
        }
    }

    public long offeredBackendFeatures() {
        return offered;
    }

    public long ackedBackendFeatures() {
        return acked;
    }

    public boolean persistAcked() {
        return (acked & bit(F_IOTLB_PERSIST)) != 0;
    }

    public ResetPolicy policy() {
        return policy;
    }

    public FrontendCounters counters() {
        return counters;
    }

    public boolean listenerRegistered() {
        return listenerRegistered;
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

    /** Why the last start failed, or null. */
    public String lastError() {
        return lastError;
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

    @Override
    public String start(long driverFeatures, List<QueueConfig> queues) {
        try {
            // The device needs ACCESS_PLATFORM acked to use the IOTLB for its DMA.
            check(dev.setFeatures(driverFeatures | (deviceFeatures & VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM))),
                    "SET_FEATURES");
            addStatus(VirtioStatus.FEATURES_OK);
            List<QueueConfig> ready = new ArrayList<>();
            for (QueueConfig q : queues) {
                if (!q.ready()) {
                    continue;
                }
                check(dev.setVringNum(q.index(), q.size()), "SET_VRING_NUM " + q.index());
                check(dev.setVringBase(q.index(), 0), "SET_VRING_BASE " + q.index());
                // vhost_vdpa_vq_get_addr hands the kernel desc_phys/avail_phys/used_phys, the addresses the
                // driver wrote. They are IOVAs to the device — it DMAs through the IOTLB, ACCESS_PLATFORM
                // being acked — equal to the GPAs because the listener maps IOVA = GPA (with shadow
                // virtqueues QEMU would pass IOVAs from its iova tree here instead).
                Iova desc = iova(q.desc());
                Iova avail = iova(q.avail());
                Iova used = iova(q.used());
                check(dev.setVringAddr(q.index(), desc, avail, used), "SET_VRING_ADDR " + q.index());
                check(dev.setVringKick(q.index()), "SET_VRING_KICK");
                check(dev.setVringCall(q.index()), "SET_VRING_CALL");
                ready.add(q);
            }
            if (!listenerRegistered) {
                as.registerListener(listener);
                listenerRegistered = true;
            }
            addStatus(VirtioStatus.DRIVER_OK);
            for (QueueConfig q : ready) {
                check(dev.setVringEnable(q.index(), true), "VDPA_SET_VRING_ENABLE");
            }
            startedQueues = ready;
            started = true;
            lastError = null;
            return null;
        } catch (IllegalStateException e) {
            lastError = e.getMessage();
            return e.getMessage();
        }
    }

    @Override
    public void reset() {
        if (!started) {
            return; // nothing of vhost runs yet (a reset at probe time)
        }
        started = false;
        if ((acked & bit(F_SUSPEND)) != 0) {
            dev.suspend();
        }
        for (QueueConfig q : startedQueues) {
            dev.getVringBase(q.index());
        }
        dev.setStatus(0);
        addStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER);
        if (unmapsAtReset()) {
            as.unregisterListener(listener);
            listenerRegistered = false;
        }
        LOG.debug("vhost-vdpa reset: policy {}, persist acked {}, mappings {}", policy, persistAcked(),
                listenerRegistered ? "kept" : "unmapped");
    }

    /** legacy: always; persist: unless IOTLB_PERSIST was acked; naive: never. */
    public boolean unmapsAtReset() {
        return switch (policy) {
            case LEGACY -> true;
            case PERSIST -> !persistAcked();
            case NAIVE -> false;
        };
    }

    /** Last device cleanup (VM shutdown): unregister and close, which returns every pin. */
    public void close() {
        if (listenerRegistered) {
            as.unregisterListener(listener);
            listenerRegistered = false;
        }
        dev.close();
    }
}
