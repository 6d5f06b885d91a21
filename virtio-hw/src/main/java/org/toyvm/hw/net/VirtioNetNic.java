package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.time.Causality;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.hw.queue.DmaEngine;
import org.toyvm.netdev.WirePort;

/**
 * The simulated vDPA network hardware, as a thin shell: device status, features and config space,
 * and an array of queues — {@link RxQueue}/{@link TxQueue} per queue pair (rx 2k, tx 2k+1) and a
 * {@link CtrlQueue} last (at 2N, alone in group 1) — each on the split-queue engine
 * ({@link org.toyvm.hw.queue.SplitQueue}), processed on the VM's scheduler. N (1..16) comes from the
 * constructor and is the config space's max_virtqueue_pairs. Per virtio 1.x §5.1.6.5.5 the device
 * uses pair 0 only until the driver's VQ_PAIRS_SET, and again after a reset; received frames are
 * steered among the pairs in use by {@link FlowHash} (non-IPv4 to pair 0); a frame steered to a pair
 * whose RX queue is not enabled is dropped and counted. Any enabled TX queue transmits. Every access to rings and buffers goes through the
 * {@link DmaEngine}, i.e. through the parent's current translation — so a parent that dropped its
 * mappings at reset leaves the device faulting, counted, and the datapath dead.
 *
 * <p>Reactions to a hostile guest, one policy per case (docs/bad-input.md has the cases): ring
 * state that cannot be trusted sets NEEDS_RESET and stops the device until reset; a bad chain goes
 * back with length 0, dropped and counted; a DMA fault is counted and drops its chain whole (on the
 * rings it ends this round); a bad doorbell write or wire frame is ignored and counted.
 * <p>Starting is causal ({@link Causality}, docs/DESIGN.md §3): DRIVER_OK, an enable after it and a
 * resume take hold when the command reaches the device ({@link PendingEffect}); until then no ring
 * is touched and wire frames are dropped as not running. Stops take hold at once.
 *
 * <p>Values are read at their spec width, unsigned (16-bit indexes masked, 32-bit lengths as longs,
 * 64-bit addresses compared with {@code U64}), and checked before they index anything. Every Netty
 * buffer is released on every path, including an unexpected failure.
 */
public final class VirtioNetNic implements VirtioNetHardware {
    private static final Logger LOG = LogManager.getLogger(VirtioNetNic.class);
    public static final int RX = VirtioNet.rxQueue(0);
    public static final int TX = VirtioNet.txQueue(0);
    public static final int CTRL = VirtioNet.controlQueue(1);
    public static final int MAX_QUEUE_SIZE = 256;
    public static final int MTU = 1500;
    static final int ETH_HLEN = 14;
    /** The longest frame the MAC takes: MTU payload plus the Ethernet header. */
    public static final int MAX_FRAME = MTU + ETH_HLEN;
    /** The most queue pairs the model builds ({@code --queues}). */
    public static final int MAX_QUEUE_PAIRS = 16;
    /** Group 0 holds the data queues, group 1 the control queue (so the control queue can be shadowed). */
    private static final int DATA_GROUP = 0;
    private static final int CTRL_GROUP = 1;
    private static final int GROUPS = 2;
    private static final int ADDRESS_SPACES = 2;

    /** What the hardware offers (see {@link NetFeatures#OFFERED}). */
    public static final long DEVICE_FEATURES = NetFeatures.OFFERED;

    private final SimScheduler scheduler;
    private final DmaEngine dma;
    private final NetQueue[] queues;
    private final RxQueue[] rxQueues;
    private final int[] groupAsid = new int[GROUPS];
    private final NetConfigSpace config;
    private final RxFilter rxFilter = new RxFilter();
    private final NetFeatures features;
    private final int pairs;
    private final NicCounters counters;
    private IntConsumer call = q -> { };
    private Causality causality = Causality.IMMEDIATE;
    /** A start (DRIVER_OK or resume) issued but not yet reached the device. */
    private final PendingEffect start;
    private WirePort port;
    private int status;
    private boolean suspended;
    private String needsResetReason;

    public VirtioNetNic(SimScheduler scheduler, HostAddressSpace mm, long mac) {
        this(scheduler, mm, mac, PooledByteBufAllocator.DEFAULT);
    }

    public VirtioNetNic(SimScheduler scheduler, HostAddressSpace mm, long mac, ByteBufAllocator alloc) {
        this(scheduler, mm, mac, alloc, DEVICE_FEATURES);
    }

    /** A NIC of {@code queuePairs} (1..{@value #MAX_QUEUE_PAIRS}) queue pairs. */
    public VirtioNetNic(SimScheduler scheduler, HostAddressSpace mm, long mac, ByteBufAllocator alloc, int queuePairs) {
        this(scheduler, mm, mac, alloc, DEVICE_FEATURES, queuePairs);
    }

    /** A NIC offering {@code deviceFeatures} (tests of features the default device does not offer yet). */
    VirtioNetNic(SimScheduler scheduler, HostAddressSpace mm, long mac, ByteBufAllocator alloc, long deviceFeatures) {
        this(scheduler, mm, mac, alloc, deviceFeatures, 1);
    }

    VirtioNetNic(SimScheduler scheduler, HostAddressSpace mm, long mac, ByteBufAllocator alloc, long deviceFeatures,
            int queuePairs) {
        if (queuePairs < 1 || queuePairs > MAX_QUEUE_PAIRS) {
            throw new IllegalArgumentException("queue pairs " + queuePairs + " out of range 1.." + MAX_QUEUE_PAIRS);
        }
        this.pairs = queuePairs;
        this.counters = new NicCounters(queuePairs);
        this.scheduler = scheduler;
        this.features = new NetFeatures(deviceFeatures);
        this.start = new PendingEffect(scheduler);
        this.dma = new DmaEngine(mm);
        queues = new NetQueue[VirtioNet.controlQueue(pairs) + 1];
        rxQueues = new RxQueue[pairs];
        for (int k = 0; k < pairs; k++) {
            rxQueues[k] = new RxQueue(this, VirtioNet.rxQueue(k));
            queues[VirtioNet.rxQueue(k)] = rxQueues[k];
            queues[VirtioNet.txQueue(k)] = new TxQueue(this, VirtioNet.txQueue(k), alloc);
        }
        config = new NetConfigSpace(mac, pairs, MTU);
        queues[VirtioNet.controlQueue(pairs)] = new CtrlQueue(this, VirtioNet.controlQueue(pairs),
                new CtrlCommands(rxFilter, config, pairs));
    }

    /** The number of queue pairs (max_virtqueue_pairs). */
    public int queuePairs() {
        return pairs;
    }

    /** The control queue's index: 2N. */
    public int ctrlQueue() {
        return VirtioNet.controlQueue(pairs);
    }

    /** Connects the NIC's port; frames the port receives are steered to the RX queues ({@link #receive}). */
    public void attach(WirePort p) {
        this.port = p;
        p.setReceiver(this::receive);
    }

    /** How far after now a command issued now reaches the device (the VMM's meter in a vCPU exit). */
    public void setCausality(Causality c) {
        this.causality = c == null ? Causality.IMMEDIATE : c;
    }

    /** True while a start has been issued but has not reached the device yet. */
    public boolean startPending() {
        return start.pending();
    }

    SimScheduler scheduler() {
        return scheduler;
    }

    public DmaEngine dma() {
        return dma;
    }

    public NicCounters counters() {
        return counters;
    }

    /** The state the driver set through the control queue (RX mode, MAC table, VLANs, queue pairs, offloads). */
    public RxFilter rxFilter() {
        return rxFilter;
    }

    /** The MAC in the config space (the driver may change it with MAC_ADDR_SET). */
    public long mac() {
        return config.mac();
    }

    /** Asks the guest to announce itself ({@link NetConfigSpace#requestAnnounce}); answers whether it was asked. */
    public boolean requestAnnounce() {
        return config.requestAnnounce(features);
    }

    public long dmaFaults() {
        return dma.faults();
    }

    /** Why the device set NEEDS_RESET, or null. */
    public String needsResetReason() {
        return needsResetReason;
    }

    // ---------------------------------------------------------------- VirtioNetHardware

    @Override
    public long deviceFeatures() {
        return features.offered();
    }

    @Override
    public void setDriverFeatures(long features) {
        rxFilter.featuresSet(this.features.ack(features));
    }

    @Override
    public int numQueues() {
        return queues.length;
    }

    @Override
    public int maxQueueSize() {
        return MAX_QUEUE_SIZE;
    }

    @Override
    public int numGroups() {
        return GROUPS;
    }

    @Override
    public int numAddressSpaces() {
        return ADDRESS_SPACES;
    }

    @Override
    public int vqGroup(int vq) {
        return vq == VirtioNet.controlQueue(pairs) ? CTRL_GROUP : DATA_GROUP;
    }

    private NetQueue queue(int i) {
        return i >= 0 && i < queues.length ? queues[i] : null;
    }

    @Override
    public void setVqNum(int i, int num) {
        NetQueue q = queue(i);
        if (q != null) {
            q.q.setSize(num);
        }
    }

    @Override
    public void setVqAddress(int i, Iova desc, Iova avail, Iova used) {
        NetQueue q = queue(i);
        if (q != null) {
            q.q.setAddresses(desc, avail, used);
        }
    }

    @Override
    public void setVqBase(int i, int base) {
        NetQueue q = queue(i);
        if (q != null) {
            q.q.setBase(base);
        }
    }

    @Override
    public int vqBase(int i) {
        NetQueue q = queue(i);
        return q == null ? 0 : q.q.base();
    }

    @Override
    public void setVqReady(int i, boolean ready) {
        NetQueue q = queue(i);
        if (q != null) {
            q.enable.cancel();
            q.q.setReady(ready);
            if (ready) {
                q.enable.runAfter(causality.lagNanos(), () -> kick(i)); // kicked when the enable reaches the device
            }
        }
    }

    @Override
    public boolean vqReady(int i) {
        NetQueue q = queue(i);
        return q != null && q.q.ready();
    }

    @Override
    public void setCallHandler(IntConsumer c) {
        this.call = c;
    }

    @Override
    public void setTranslations(IntFunction<DmaTranslation> t) {
        dma.setTranslations(t);
    }

    @Override
    public void setGroupAsid(int group, int asid) {
        if (group >= 0 && group < groupAsid.length) {
            groupAsid[group] = asid;
        }
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public void setStatus(int s) {
        boolean starting = (s & VirtioStatus.DRIVER_OK) != 0 && (status & VirtioStatus.DRIVER_OK) == 0;
        status = s | (status & VirtioStatus.NEEDS_RESET);
        if (starting) {
            for (NetQueue q : queues) {
                q.start();
            }
            for (NetQueue q : queues) {
                String problem = q.q.ready() ? q.q.layoutProblem() : null;
                if (problem != null) {
                    needsReset(problem);
                    return;
                }
            }
            startAfterLag();
        }
    }

    /** The device starts processing when the command reaches it: now, or after the lag (see the class comment). */
    private void startAfterLag() {
        start.runAfter(causality.lagNanos(), this::kickReady);
    }

    private void kickReady() {
        for (NetQueue q : queues) {
            if (q.q.ready()) {
                kick(q.index());
            }
        }
    }

    @Override
    public void reset() {
        start.cancel();
        status = 0;
        features.clear();
        suspended = false;
        needsResetReason = null;
        rxFilter.reset();
        config.reset();
        for (NetQueue q : queues) {
            q.reset(); // §2.4: after reset the queues start over at index 0
        }
        Arrays.fill(groupAsid, 0);
    }

    @Override
    public void suspend() {
        start.cancel();
        suspended = true;
    }

    @Override
    public void resume() {
        suspended = false;
        startAfterLag();
    }

    @Override
    public boolean suspended() {
        return suspended;
    }

    @Override
    public int configSize() {
        return config.size();
    }

    /** See {@link NetConfigSpace}: a range outside the space or the destination copies nothing. */
    @Override
    public void readConfig(int offset, byte[] dst, int dstIndex, int len) {
        config.read(offset, dst, dstIndex, len);
    }

    @Override
    public void writeConfig(int offset, byte[] src, int srcIndex, int len) {
        // virtio-net config is read-only for the driver; writes are ignored.
    }

    // ---------------------------------------------------------------- datapath (used by the queues)

    boolean running() {
        return (status & VirtioStatus.DRIVER_OK) != 0 && (status & VirtioStatus.NEEDS_RESET) == 0 && !suspended
                && !start.pending();
    }

    /** The device runs and queue {@code q} is enabled, and its enable has reached the device. */
    boolean accepting(NetQueue q) {
        return running() && q.q.ready() && !q.enable.pending();
    }

    int asidOf(int vq) {
        return groupAsid[vqGroup(vq)];
    }

    long driverFeatures() {
        return features.acked();
    }

    boolean has(int feature) {
        return features.has(feature);
    }

    /** The device stops until reset (NEEDS_RESET), giving back every frame it holds. */
    void needsReset(String why) {
        if ((status & VirtioStatus.NEEDS_RESET) == 0) {
            counters.needsReset++;
            needsResetReason = why;
            LOG.debug("virtio-net device needs reset: {}", why);
        }
        status |= VirtioStatus.NEEDS_RESET;
        for (NetQueue q : queues) {
            q.releaseBuffers();
        }
    }

    /** True when the attached port keeps frames on this loop (see {@link WirePort#sameThread()}). */
    boolean portSameThread() {
        return port != null && port.sameThread();
    }

    /** Sends a transmitted frame out of the port, which owns it from now on. */
    void transmit(ByteBuf frame) {
        if (port != null) {
            port.send(frame);
        } else {
            frame.release();
        }
    }

    /** Used-buffer notification of queue {@code vq} (an interrupt to the guest). */
    void notifyUsed(int vq) {
        counters.notifications++;
        call.accept(vq);
    }

    /**
     * A guest write to the notify area mapped into the guest (the host notifier page): a 32-bit queue
     * index, unsigned. Any other width, or an index the device does not have, is ignored and counted.
     */
    public void doorbell(long value, int size) {
        if (size != Integer.BYTES || Long.compareUnsigned(value, queues.length) >= 0) {
            counters.badDoorbells++;
            return;
        }
        kick((int) value);
    }

    /**
     * QEMU busy-waits on the shadow control queue's used ring in the exit that kicked it
     * ({@code vhost_vdpa_net_svq_poll}); a device working beside it has by then taken the pending start
     * and the queue's enable and processed the queue. Runs that now; the caller charges the wait
     * (docs/DESIGN.md §3).
     */
    @Override
    public void runQueueNow(int i) {
        NetQueue q = queue(i);
        if (q == null) {
            return;
        }
        start.runNow();
        q.enable.runNow();
        process(q);
    }

    @Override
    public void kick(int i) {
        NetQueue q = queue(i);
        if (q == null || q.scheduled) {
            return;
        }
        q.scheduled = true;
        scheduler.execute(q.task);
    }

    /**
     * A frame from the wire (owned here from now on), for the RX queue of the pair its flow hashes to
     * among the pairs in use ({@link FlowHash}; 1 until VQ_PAIRS_SET, QEMU virtio_net_set_queue_pairs
     * / mlx5_vdpa's RQT of curr pairs). The pairs-in-use count is bounded by N by the ack rules; the
     * index is checked again before it selects a queue.
     */
    public void receive(ByteBuf frame) {
        int inUse = Math.min(Math.max(rxFilter.activePairs(), 1), pairs);
        int p = FlowHash.pairOf(frame, inUse);
        rxQueues[p < pairs ? p : 0].receive(frame);
    }

    void process(NetQueue q) {
        if (!accepting(q)) {
            return;
        }
        try {
            q.process();
        } catch (RuntimeException e) {
            // Nothing the guest writes may escape to the event loop: an unexpected failure is a device error.
            LOG.warn("virtio-net queue {} failed: {}", q.index(), e.toString());
            needsReset("internal error on queue " + q.index() + ": " + e);
        }
    }
}
