package org.toyvm.net.vhost;

import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.memory.AddressSpace;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;

/**
 * One shadowed data virtqueue: QEMU's {@code VhostShadowVirtqueue} without owner ops (the data queues
 * of vhost-vdpa net; hw/virtio/vhost-shadow-virtqueue.c and hw/virtio/vhost-vdpa.c, 9.2 through
 * master). QEMU sits between the guest's ring ({@link GuestDataRing}, read through the guest's
 * address space, hostile) and a ring of its own the device reads ({@link ShadowDataRing}, mapped for
 * the device in {@code ringAsid} at IOVAs from the NIC's {@link IovaTree}).
 * <pre>
 *  start      vhost_virtqueue_start of a shadowed vq: SET_VRING_NUM (the guest's size);
 *             vhost_vdpa_svq_setup: SET_VRING_BASE 0, SET_VRING_KICK, SET_VRING_CALL (the SVQ's eventfds);
 *             vhost_svq_start: the shadow ring in QEMU's memory; the guest's ring continues from base;
 *             vhost_vdpa_svq_map_rings: driver area RO, device area RW, one UPDATE each in ringAsid;
 *             SET_VRING_ADDR with their IOVAs ("Override vring GPA set by vhost subsystem")
 *  guestKick  vhost_handle_guest_kick: guest kicks off while popping; each chain popped, its buffers
 *             translated (GuestIova) and added with the same shape (vhost_svq_add_split); the device
 *             kicked unless it suppressed it (vhost_svq_kick); a chain that does not fit waits
 *             (next_guest_avail_elem) until the device returns some
 *  deviceCall vhost_svq_flush: used elements to the guest's used ring with the guest's head and the
 *             device's length; answers virtio_split_should_notify (NO_INTERRUPT / used_event)
 *  stop       vhost_svq_stop: the used elements left flushed, every chain still in flight (and the one
 *             waiting) unpopped, so the index to migrate is the guest's used index;
 *             vhost_vdpa_svq_unmap_rings: one INVALIDATE each, in ringAsid
 * </pre>
 * Outcomes of bad input (no exception escapes from the guest's or the device's data):
 * <ul>
 *   <li>a bad guest ring or chain ({@link GuestDataRing}): the queue is broken — nothing more is popped
 *       or written to the guest until the next start, the reason is kept and given to the
 *       {@link #setBrokenHandler virtio_error handler} once (QEMU marks the device broken);</li>
 *   <li>a buffer {@link GuestIova} cannot translate: the chain is not forwarded; it goes back to the
 *       guest at once with used length 0 and is counted ({@link #untranslatable()}). QEMU logs "Invalid
 *       address ... given by guest" and drops the element without returning it (vhost_svq_add → -EINVAL,
 *       the kick ends); the model returns it so the guest's ring and the migrated index stay
 *       consistent;</li>
 *   <li>a chain of more pieces than the whole shadow ring: it could never fit (QEMU would hold it
 *       forever and the queue would stall); returned with length 0 and counted ({@link #oversized()});</li>
 *   <li>a used element from the device with a bad id: skipped and counted ({@link #deviceErrors()}).</li>
 * </ul>
 * QEMU itself signals the guest's call eventfd after every flush (vhost_svq_flush's
 * {@code event_notifier_set(&svq->svq_call)}, spurious interrupts being allowed); the model answers
 * what {@code virtio_notify} would decide, as the contract asks.
 */
final class ShadowDataVq {
    private static final Logger LOG = LogManager.getLogger(ShadowDataVq.class);

    private final VhostVdpaOps ops;
    private final VhostVdpaDevice dev;
    private final HostAddressSpace mm;
    private final AddressSpace guestMemory;
    private final IovaTree tree;
    private final int index;
    private ShadowDataRing ring;
    private GuestDataRing guest;
    private GuestIova translate;
    private int ringAsid;
    private boolean eventIdx;
    private Iova driverIova;
    private Iova deviceIova;
    private GuestDataRing.Chain held;
    private boolean brokenReported;
    private Consumer<String> brokenHandler = why -> { };
    private IntConsumer guestNotifier = q -> { };
    private long forwarded;
    private long returned;
    private long untranslatable;
    private long oversized;
    private long deviceKicks;
    private long deviceErrorsBefore;

    ShadowDataVq(VhostVdpaOps ops, AddressSpace guestMemory, IovaTree tree, int queueIndex) {
        this.ops = ops;
        this.dev = ops.device();
        this.mm = dev.processMemory();
        this.guestMemory = guestMemory;
        this.tree = tree;
        this.index = queueIndex;
    }

    int queueIndex() {
        return index;
    }

    boolean started() {
        return ring != null;
    }

    /** virtio_error's effect: called once with the reason when the guest's ring turns out broken. */
    void setBrokenHandler(Consumer<String> h) {
        brokenHandler = h == null ? why -> { } : h;
    }

    /**
     * Called with the queue index when the SVQ returned chains to the guest outside
     * {@link #deviceCall()} and the guest is to be notified: chains refused in {@link #guestKick()},
     * the last flush of {@link #stop()}.
     */
    void setGuestNotifier(IntConsumer n) {
        guestNotifier = n == null ? q -> { } : n;
    }

    /** {@link #start(QueueConfig, int, GuestIova, int, long)} with no ring features (no EVENT_IDX). */
    void start(QueueConfig guestQueue, int base, GuestIova translate, int ringAsid) {
        start(guestQueue, base, translate, ringAsid, 0L);
    }

    /**
     * Shadows the guest's queue {@code guestQueue} (whose avail and used indexes continue from
     * {@code base}), with {@code guestFeatures} the features the guest acked (EVENT_IDX decides the
     * notification rules on both rings). A queue size that is not a split-ring size is not started
     * and the queue is broken. ioctl or mapping failures throw IllegalStateException, as the rest of
     * the frontend does (vhost_dev_start fails).
     *
     * <p>It issues every ioctl of the queue, SET_VRING_NUM included (the one vhost_virtqueue_start
     * sends to the device for a shadowed queue): the caller sends none for it. What the guest made
     * available before is forwarded at the end (vhost_svq_set_svq_kick_fd sets the kick notifier),
     * before DRIVER_OK and the enables; the device takes it when it starts.
     */
    void start(QueueConfig guestQueue, int base, GuestIova translate, int ringAsid, long guestFeatures) {
        start(guestQueue, base, translate, ringAsid, guestFeatures, true);
    }

    /**
     * As above; {@code kickNow} false leaves the forced first kick to the caller (H1b, for
     * VhostNetStart): QEMU's {@code event_notifier_set(svq_kick)} only schedules the handler, which the
     * main loop runs once vhost_net_start has returned — after the listener has mapped guest RAM.
     */
    void start(QueueConfig guestQueue, int base, GuestIova translate, int ringAsid, long guestFeatures,
            boolean kickNow) {
        if (ring != null) {
            stop();
        }
        this.translate = translate;
        this.ringAsid = ringAsid;
        this.eventIdx = VirtioFeatures.has(guestFeatures, VirtioFeatures.RING_F_EVENT_IDX);
        this.held = null;
        this.brokenReported = false;
        int num = guestQueue.size();
        guest = new GuestDataRing(guestMemory, num, guestQueue.desc().value(), guestQueue.avail().value(),
                guestQueue.used().value(), eventIdx, base);
        if (guest.broken()) {
            reportBroken();
            return;
        }
        String vq = "vq " + index;
        ops.check(ops.traced("SET_VRING_NUM", vq, "vhost_virtqueue_start", dev.setVringNum(index, num)),
                "SET_VRING_NUM " + index);
        ops.check(ops.traced("SET_VRING_BASE", vq, "vhost_vdpa_svq_setup", dev.setVringBase(index, 0)),
                "SET_VRING_BASE " + index);
        ops.check(ops.traced("SET_VRING_KICK", vq, "vhost_vdpa_svq_set_fds", dev.setVringKick(index)), "SET_VRING_KICK");
        ops.check(ops.traced("SET_VRING_CALL", vq, "vhost_vdpa_svq_set_fds", dev.setVringCall(index)), "SET_VRING_CALL");
        ring = new ShadowDataRing(mm, "vhost-vdpa.svq" + index, num);
        driverIova = map(ring.areas().driverArea(), ring.areas().driverSize(), true, "driver area");
        deviceIova = map(ring.areas().deviceArea(), ring.areas().deviceSize(), false, "device area");
        ops.check(ops.traced("SET_VRING_ADDR", vq, "vhost_vdpa_svqs_start", dev.setVringAddr(index, driverIova,
                driverIova.plus(ring.areas().availOffset()), deviceIova)), "SET_VRING_ADDR " + index);
        // vhost_svq_set_svq_kick_fd: "event_notifier_set(svq_kick)" — what the guest made available
        // before the switch is forwarded now.
        if (kickNow) {
            guestKick();
        }
    }

    /** vhost_vdpa_svq_map_ring: an IOVA from the tree ({@code vhost_iova_tree_map_alloc}), one UPDATE in ringAsid. */
    private Iova map(Hva hva, long size, boolean readonly, String what) {
        Iova iova = tree.alloc(size);
        if (iova == null) {
            throw new IllegalStateException("vhost-vdpa: cannot allocate an IOVA for the shadow vring " + what
                    + " of vq " + index);
        }
        if (!ops.dmaMap(ringAsid, iova, size, hva, readonly)) {
            tree.remove(iova);
            throw new IllegalStateException("vhost-vdpa: cannot map the shadow vring " + what + " of vq " + index
                    + " (" + dev.lastDetail() + ")");
        }
        return iova;
    }

    private void unmap(Iova iova, long size) {
        if (iova != null && tree.remove(iova)) {
            ops.dmaUnmap(ringAsid, iova, size);
        }
    }

    private void reportBroken() {
        if (guest.broken() && !brokenReported) {
            brokenReported = true;
            LOG.warn("vhost-vdpa: guest data queue {} broken: {}", index, guest.brokenReason());
            brokenHandler.accept(guest.brokenReason());
        }
    }

    /** vhost_handle_guest_kick: forward every chain the guest made available, as far as the shadow ring holds. */
    void guestKick() {
        if (ring == null || guest.broken()) {
            return;
        }
        boolean returnedAny = false;
        try {
            do {
                guest.setNotification(false);
                while (true) {
                    GuestDataRing.Chain c = held != null ? held : guest.pop();
                    held = null;
                    if (c == null) {
                        break;
                    }
                    int n = c.segments().size();
                    if (n > ring.num()) {
                        oversized++;
                        returnedAny |= returnNow(c);
                        continue;
                    }
                    if (n > ring.freeSlots()) {
                        held = c; // -ENOSPC: "queue the current guest descriptor and ignore kicks until some elements are used"
                        return;
                    }
                    if (!add(c)) {
                        untranslatable++;
                        LOG.debug("Invalid address given by guest on vq {} (chain {})", index, c.head());
                        returnedAny |= returnNow(c);
                    }
                }
                guest.setNotification(true);
            } while (!guest.empty());
        } finally {
            reportBroken();
            if (returnedAny && guest.shouldNotify()) {
                guestNotifier.accept(index);
            }
        }
    }

    /** The chain goes back to the guest unforwarded, used length 0. */
    private boolean returnNow(GuestDataRing.Chain c) {
        guest.fill(c.head(), 0, 0);
        guest.flush(1);
        returned++;
        return true;
    }

    /** vhost_svq_add: each piece translated (vhost_svq_translate_addr), then vhost_svq_add_split and vhost_svq_kick. */
    private boolean add(GuestDataRing.Chain c) {
        int n = c.segments().size();
        long[] iova = new long[n];
        long[] len = new long[n];
        boolean[] write = new boolean[n];
        for (int k = 0; k < n; k++) {
            GuestDataRing.Segment s = c.segments().get(k);
            Iova at = translate.iovaOf(Gpa.of(s.gpa()), s.len());
            if (at == null) {
                return false;
            }
            iova[k] = at.value();
            len[k] = s.len();
            write[k] = s.write();
        }
        if (!ring.add(iova, len, write, n, c.head())) {
            return false; // cannot happen: room was checked
        }
        forwarded++;
        if (ring.needsKick(eventIdx)) {
            deviceKicks++;
            dev.kick(index);
        }
        return true;
    }

    /**
     * The device's call (vhost_svq_handle_call → vhost_svq_flush): every used element goes to the
     * guest's used ring with the guest's head and the device's length; a chain that was waiting for
     * room is forwarded now. Answers whether the guest is to be notified.
     */
    boolean deviceCall() {
        if (ring == null) {
            return false;
        }
        boolean notify = flush(true);
        reportBroken();
        return notify;
    }

    private boolean flush(boolean checkForAvail) {
        boolean notify = false;
        do {
            ring.setDeviceCalls(false, eventIdx);
            int i = 0;
            for (ShadowDataRing.Used u; (u = ring.getBuf()) != null;) {
                guest.fill(u.cookie(), u.len(), i++);
            }
            guest.flush(i);
            if (i > 0) {
                notify |= guest.shouldNotify();
            }
            if (checkForAvail && held != null) {
                guestKick();
            }
            ring.setDeviceCalls(true, eventIdx);
        } while (ring.moreUsed()); // vhost_svq_enable_notification: "pending used buffers" — go round again
        return notify;
    }

    /**
     * vhost_vdpa_svqs_stop for this queue: vhost_svq_stop (the used elements left flushed to the guest,
     * every chain in flight and the one waiting unpopped: virtqueue_unpop), then
     * vhost_vdpa_svq_unmap_rings. Answers the guest's last avail index to migrate — equal to the used
     * index QEMU published, since every chain popped is either pushed or unpopped. Not started: -1.
     */
    int stop() {
        if (guest == null) {
            return -1;
        }
        if (ring != null) {
            if (flush(false)) {
                guestNotifier.accept(index);
            }
            int unpop = ring.inFlight() + (held != null ? 1 : 0);
            held = null;
            guest.unpop(unpop);
            deviceErrorsBefore += ring.deviceErrors();
            unmap(driverIova, ring.areas().driverSize());
            unmap(deviceIova, ring.areas().deviceSize());
            driverIova = null;
            deviceIova = null;
            ring.free();
            ring = null;
        }
        int base = guest.lastAvail();
        reportBroken();
        return base;
    }

    // ---------------------------------------------------------------- what it did

    boolean broken() {
        return guest != null && guest.broken();
    }

    String brokenReason() {
        return guest == null ? null : guest.brokenReason();
    }

    /** Chains added to the shadow ring. */
    long forwarded() {
        return forwarded;
    }

    /** Chains returned to the guest unforwarded (untranslatable or oversized). */
    long returned() {
        return returned;
    }

    long untranslatable() {
        return untranslatable;
    }

    long oversized() {
        return oversized;
    }

    /** Kicks written to the device's kick eventfd. */
    long deviceKicks() {
        return deviceKicks;
    }

    /** Used elements with bad ids the device returned, since construction. */
    long deviceErrors() {
        return deviceErrorsBefore + (ring == null ? 0 : ring.deviceErrors());
    }

    /** Chains in the shadow ring now. */
    int inFlight() {
        return ring == null ? 0 : ring.inFlight();
    }

    /** The shadow ring's IOVAs (driver area, device area), null when not started: for tests and traces. */
    Iova driverAreaIova() {
        return driverIova;
    }

    Iova deviceAreaIova() {
        return deviceIova;
    }

    /** The shadow ring's size; 0 when not started. */
    int shadowSize() {
        return ring == null ? 0 : ring.num();
    }
}
