package org.toyvm.net.vhost;

import static org.toyvm.vdpa.uapi.VhostUapi.F_DESC_ASID;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_ASID;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_BATCH;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_MSG_V2;
import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_PERSIST;
import static org.toyvm.vdpa.uapi.VhostUapi.F_SUSPEND;
import static org.toyvm.vdpa.uapi.VhostUapi.bit;

import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.MemTxResult;
import org.toyvm.vdpa.kernel.IoctlResult;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * QEMU's hw/virtio/vhost-vdpa.c VhostOps, as far as the model's frontend uses them: one method per
 * QEMU function, each doing what that function does at the chosen {@link QemuVersion}, with the
 * state {@code struct vhost_vdpa} and {@code VhostVDPAShared} keep (backend features, the memory
 * listener, the "suspended" flags). {@link VhostVdpaNet} calls them in the order hw/virtio/vhost.c and virtio.c do. The reset
 * policy decides one thing here: whether a reset that would unregister the listener does
 * ({@link #keepsMappingsAtReset()}).
 */
final class VhostVdpaOps {
    private static final Logger LOG = LogManager.getLogger(VhostVdpaOps.class);
    /** vhost_vdpa_set_backend_cap's mask: MSG_V2 | BATCH | ASID | SUSPEND (9.0 through master). */
    static final long QEMU_BACKEND_FEATURES = bit(F_IOTLB_MSG_V2) | bit(F_IOTLB_BATCH) | bit(F_IOTLB_ASID)
            | bit(F_SUSPEND);

    private final VhostVdpaDevice dev;
    private final AddressSpace as;
    private final QemuVersion qemu;
    private final ResetPolicy policy;
    private final MigrationTechniques techniques;
    private final FrontendCounters counters;
    private final IoctlTraceSink ioctls;
    private final VhostVdpaListener listener;
    private final SuspendState suspended;
    private long offered;
    private long acked;
    private boolean listenerRegistered;

    VhostVdpaOps(VhostVdpaDevice dev, AddressSpace as, QemuVersion qemu, ResetPolicy policy, FrontendCounters counters,
            IotlbTraceSink trace, IoctlTraceSink ioctls, LongSupplier clock) {
        this(dev, as, qemu, policy, MigrationTechniques.NONE, counters, trace, ioctls, clock);
    }

    VhostVdpaOps(VhostVdpaDevice dev, AddressSpace as, QemuVersion qemu, ResetPolicy policy,
            MigrationTechniques techniques, FrontendCounters counters, IotlbTraceSink trace, IoctlTraceSink ioctls,
            LongSupplier clock) {
        this.techniques = techniques;
        this.dev = dev;
        this.as = as;
        this.qemu = qemu;
        this.policy = policy;
        this.counters = counters;
        this.ioctls = ioctls;
        this.suspended = new SuspendState(qemu);
        this.listener = new VhostVdpaListener(dev, () -> (acked & bit(F_IOTLB_BATCH)) != 0, trace, clock, counters);
    }

    long offered() {
        return offered;
    }

    long acked() {
        return acked;
    }

    boolean persistAcked() {
        return (acked & bit(F_IOTLB_PERSIST)) != 0;
    }

    boolean listenerRegistered() {
        return listenerRegistered;
    }

    MigrationTechniques techniques() {
        return techniques;
    }

    VhostVdpaListener listener() {
        return listener;
    }

    /** Whether DESC_ASID was acked: the shadow rings can go to their descriptor group's own ASID. */
    boolean descAsidAcked() {
        return (acked & bit(F_DESC_ASID)) != 0;
    }

    /**
     * The mapping mode the listener needs next: guest RAM at IOVAs from {@code tree}, or at IOVA = GPA
     * ({@code tree} null). A registered listener in the other mode is unregistered first (all RAM
     * unmapped): the layout changes only while it is not listening, and the last device's start
     * registers it again in the new mode. Under a policy that keeps mappings across reset this is
     * where they still go, when the layout changes.
     */
    void listenerMode(IovaTree tree) {
        if (!listener.setShadowTree(tree)) {
            unregisterListener();
            listener.setShadowTree(tree);
        }
    }

    /**
     * {@code vhost_vdpa_dma_batch_begin_once(v, asid)} of Si-Wei Liu's series, with
     * {@link MigrationTechniques#batch}: opens a batch for {@code asid} (upstream sends these maps
     * unbatched). Answers whether one is open, to pair with {@link #batchEnd}.
     */
    boolean batchBegin(int asid) {
        return techniques.batch() && listener.beginBatch(asid);
    }

    /** {@code vhost_vdpa_dma_batch_end_once}: BATCH_END of the batch {@link #batchBegin} opened. */
    void batchEnd(boolean opened) {
        if (opened) {
            listener.endBatch();
        }
    }

    VhostVdpaDevice device() {
        return dev;
    }

    IoctlResult traced(String name, String arg, String by, IoctlResult r) {
        ioctls.issued(name, arg, r.ok() ? "ok" : r.errno().name(), by);
        return r;
    }

    void check(IoctlResult r, String what) {
        if (!r.ok()) {
            throw new IllegalStateException("vhost-vdpa " + what + " failed: " + r.errno() + " (" + dev.lastDetail() + ")");
        }
    }

    /**
     * vhost_vdpa_set_backend_cap: GET_BACKEND_FEATURES, keep the bits QEMU knows (plus IOTLB_PERSIST
     * under {@link ResetPolicy#PERSIST}: Si-Wei Liu's unmerged series), SET_BACKEND_FEATURES.
     */
    void setBackendCap(String by) {
        setBackendCap(by, true);
    }

    /**
     * vhost_vdpa_set_backend_cap of one vhost device: every device reads GET_BACKEND_FEATURES, only
     * the first ({@code vhost_vdpa_first_dev}) writes SET_BACKEND_FEATURES.
     */
    void setBackendCap(String by, boolean first) {
        IoctlResult got = traced("GET_BACKEND_FEATURES", "", by, dev.getBackendFeatures());
        check(got, "GET_BACKEND_FEATURES");
        offered = got.value();
        if (!first) {
            return;
        }
        long want = QEMU_BACKEND_FEATURES | (policy == ResetPolicy.PERSIST ? bit(F_IOTLB_PERSIST) : 0);
        if (techniques.descAsid() && (offered & bit(F_IOTLB_ASID)) != 0) {
            // Si-Wei Liu's "vdpa: probe descriptor group index for data vqs" series: DESC_ASID needs IOTLB_ASID.
            want |= bit(F_DESC_ASID);
        }
        long ack = want & offered;
        check(traced("SET_BACKEND_FEATURES", Long.toHexString(ack), by, dev.setBackendFeatures(ack)),
                "SET_BACKEND_FEATURES");
        acked = ack;
    }

    /**
     * vhost_vdpa_dma_map: one IOTLB UPDATE of {@code [iova, iova+size)} → {@code hva} in {@code asid}
     * (read-only or read-write), written at once — not in a batch (only the listener batches).
     */
    boolean dmaMap(int asid, Iova iova, long size, Hva hva, boolean readonly) {
        return listener.send(VhostMsgV2.update(asid, iova, size, hva,
                readonly ? VhostUapi.VHOST_ACCESS_RO : VhostUapi.VHOST_ACCESS_RW));
    }

    /** vhost_vdpa_dma_unmap: one IOTLB INVALIDATE of {@code [iova, iova+size)} in {@code asid}. */
    boolean dmaUnmap(int asid, Iova iova, long size) {
        return listener.send(VhostMsgV2.invalidate(asid, iova, size));
    }

    /** vhost_vdpa_add_status: GET_STATUS, SET_STATUS(old | bits), read back; a bit that does not stick is EIO. */
    void addStatus(int bits, String by) {
        int s = (int) traced("GET_STATUS", "", by, dev.getStatus()).value();
        check(traced("SET_STATUS", VirtioStatus.describe(s | bits), by, dev.setStatus(s | bits)), "SET_STATUS");
        int back = (int) traced("GET_STATUS", "", by, dev.getStatus()).value();
        if ((back & bits) != bits) {
            throw new IllegalStateException("vhost-vdpa: status bits " + VirtioStatus.describe(bits)
                    + " did not stick (EIO)");
        }
    }

    /**
     * vhost_vdpa_set_owner: SET_OWNER; from 10.1 it then registers the listener on the system address
     * space ("Being optimistic and listening address space memory"), which maps every RAM section.
     */
    void setOwner() {
        check(traced("SET_OWNER", "", "vhost_vdpa_set_owner", dev.setOwner()), "SET_OWNER");
    }

    /**
     * The rest of vhost_vdpa_set_owner from 10.1: the listener registered on the system address space.
     * QEMU does it inside SET_OWNER, when guest RAM does not exist yet (netdevs are created before the
     * board), so RAM is mapped only once it appears — after every netdev's init, the control queue's
     * isolation probe included. The model's RAM exists from the start, so its frontend registers after
     * the probe: the UPDATEs land where QEMU's would, and the probe's reset finds nothing mapped.
     */
    void registerListenerAfterSetOwner() {
        // MigrationTechniques.earlyMap: the same on any release (Pérez's RFC / Si-Wei's "early map").
        if (qemu.registersListenerAtSetOwner() || techniques.earlyMap()) {
            registerListener();
        }
    }

    /** vhost_vdpa_dev_start(started = true) of the last device: register the listener unless it is, then DRIVER_OK. */
    void devStart() {
        if (!listenerRegistered) {
            registerListener();
        }
        addStatus(VirtioStatus.DRIVER_OK, "vhost_vdpa_dev_start");
    }

    /**
     * vhost_vdpa_suspend (from vhost_vdpa_dev_start(started = false)): only the first device acts;
     * with SUSPEND acked it suspends and marks itself suspended; without (or if SUSPEND fails, "Cannot
     * suspend") it falls back to vhost_vdpa_reset_device.
     */
    void suspend(int device) {
        if (device != 0) {
            return; // !vhost_vdpa_first_dev(dev)
        }
        if ((acked & bit(F_SUSPEND)) != 0) {
            IoctlResult r = traced("SUSPEND", "", "vhost_vdpa_suspend", dev.suspend());
            if (r.ok()) {
                counters.suspends++;
                suspended.markSuspended(device);
                return;
            }
            LOG.error("Cannot suspend: {} ({})", r.errno(), dev.lastDetail());
        }
        counters.fallbackResets++;
        resetDevice(device, "vhost_vdpa_suspend");
    }

    /**
     * vhost_vdpa_get_vring_base (from vhost_virtqueue_stop): a device not marked suspended returns -1
     * without asking ("Cannot trust in value returned by device"); vhost_virtqueue_stop then logs
     * "vhost VQ N ring restore failed" and restores the last avail index from the guest's used index.
     */
    int getVringBase(int device, int queue) {
        if (!suspended.isSuspended(device)) {
            counters.ringRestoreFailed++;
            LOG.debug("vhost VQ {} ring restore failed: -1 (device not suspended): used index taken", queue);
            return -1;
        }
        counters.vringBasesRead++;
        IoctlResult r = traced("GET_VRING_BASE", "vq " + queue, "vhost_vdpa_get_vring_base", dev.getVringBase(queue));
        return r.ok() ? (int) (r.value() & 0xffff) : -1;
    }

    /**
     * virtio_queue_restore_last_avail_idx: the guest's used index read from its used ring (at
     * {@code used} + 2, 16 bits), what vhost_virtqueue_stop keeps when the base could not be read;
     * 0 when the ring is not readable (QEMU's vring_used_idx reads 0 from unassigned memory).
     */
    int guestUsedIdx(Gpa used) {
        return guestU16(used, SplitRing.USED_IDX);
    }

    /** A 16-bit field of a guest ring at {@code ring + off} (unsigned; 0 where nothing is mapped). */
    int guestU16(Gpa ring, long off) {
        AddressSpace.Read r = as.readValue(ring.value() + off, Short.BYTES);
        return r.result() == MemTxResult.OK ? (int) (r.value() & 0xffff) : 0;
    }

    /**
     * vhost_vdpa_reset_device: SET_STATUS 0 and {@code suspended = false}; from 10.1 it also
     * unregisters the listener (after a successful reset), unless the policy keeps the mappings.
     */
    void resetDevice(int device, String by) {
        counters.deviceResets++;
        IoctlResult r = traced("SET_STATUS", "0", by + " > vhost_vdpa_reset_device", dev.setStatus(0));
        if (r.ok() && qemu.unregistersListenerInResetDevice()) {
            unregisterAtReset();
        }
        suspended.clear(device);
    }

    /**
     * vhost_vdpa_reset_status (vhost_dev_stop's last step, last device only): reset, ACK|DRIVER again,
     * and before 10.1 unregister the listener (unless the policy keeps the mappings).
     */
    void resetStatus(int device) {
        resetDevice(device, "vhost_vdpa_reset_status");
        addStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER, "vhost_vdpa_reset_status");
        counters.readyAfterReset++;
        if (!qemu.unregistersListenerInResetDevice()) {
            unregisterAtReset();
        }
    }

    /** legacy: never; persist: when IOTLB_PERSIST was acked; naive: always. */
    boolean keepsMappingsAtReset() {
        return switch (policy) {
            case LEGACY -> false;
            case PERSIST -> persistAcked();
            case NAIVE -> true;
        };
    }

    private void unregisterAtReset() {
        if (!keepsMappingsAtReset()) {
            unregisterListener();
        }
    }

    private void registerListener() {
        listener.registered(true);
        as.registerListener(listener);
        listenerRegistered = true;
        counters.listenerRegistered++;
    }

    /** memory_listener_unregister: a second call does nothing (the listener has no address space left). */
    void unregisterListener() {
        if (listenerRegistered) {
            as.unregisterListener(listener);
            listener.registered(false);
            listenerRegistered = false;
            counters.listenerUnregistered++;
        }
    }
}
