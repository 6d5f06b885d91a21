package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.time.Causality;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.QueuePairsListener;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.hw.queue.DmaEngine;
import org.toyvm.netdev.WirePort;

/**
 * The simulated vDPA network hardware, as a thin shell over its parts: the device status and its
 * causal start ({@link DeviceStatus}), features ({@link NetFeatures}), the config space
 * ({@link NetConfigSpace}) and the queue array ({@link NetQueues}: rx 2k / tx 2k+1 per pair, the
 * control queue last at 2N, alone in group 1, and RX steering by {@link FlowHash}), each queue on the
 * split-queue engine ({@link org.toyvm.hw.queue.SplitQueue}) processed on the VM's scheduler. N (1..16)
 * is the config space's max_virtqueue_pairs; per virtio 1.x §5.1.6.5.5 the device uses pair 0 only
 * until the driver's VQ_PAIRS_SET, and again after a reset. A frame steered to a pair whose RX queue is
 * not enabled is dropped and counted; any enabled TX queue transmits. Every access to rings and buffers
 * goes through the {@link DmaEngine}, i.e. the parent's current translation — so a parent that dropped
 * its mappings at reset leaves the device faulting, counted, and the datapath dead.
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
    private static final int ADDRESS_SPACES = 2;

    /** What the hardware offers (see {@link NetFeatures#OFFERED}). */
    public static final long DEVICE_FEATURES = NetFeatures.OFFERED;

    private final SimScheduler scheduler;
    private final DmaEngine dma;
    private final NetQueues queues;
    private final NetConfigSpace config;
    private final RxFilter rxFilter = new RxFilter();
    private final NetFeatures features;
    private final int pairs;
    private final NicCounters counters;
    private IntConsumer call = q -> { };
    private QueuePairsListener pairsListener = (from, to) -> { };
    private final DeviceStatus state;
    private WirePort port;

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
        this.state = new DeviceStatus(scheduler);
        this.dma = new DmaEngine(mm);
        config = new NetConfigSpace(mac, pairs, MTU);
        queues = new NetQueues(this, pairs, alloc, new CtrlCommands(rxFilter, config, pairs,
                (from, to) -> pairsListener.pairsChanged(from, to)));
    }

    /** The number of queue pairs (max_virtqueue_pairs). */
    public int queuePairs() {
        return pairs;
    }

    /** The control queue's index: 2N. */
    public int ctrlQueue() {
        return queues.ctrlIndex();
    }

    /** Connects the NIC's port; frames the port receives are steered to the RX queues ({@link #receive}). */
    public void attach(WirePort p) {
        this.port = p;
        p.setReceiver(this::receive);
    }

    /** How far after now a command issued now reaches the device (the VMM's meter in a vCPU exit). */
    public void setCausality(Causality c) {
        state.setCausality(c);
    }

    /** True while a start has been issued but has not reached the device yet. */
    public boolean startPending() {
        return state.startPending();
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
        return state.needsResetReason();
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
        return queues.size();
    }

    @Override
    public int maxQueueSize() {
        return MAX_QUEUE_SIZE;
    }

    @Override
    public int numGroups() {
        return queues.groups();
    }

    @Override
    public int numAddressSpaces() {
        return ADDRESS_SPACES;
    }

    @Override
    public int vqGroup(int vq) {
        return queues.group(vq);
    }

    @Override
    public int vqDescGroup(int vq) {
        return queues.descGroup(vq);
    }

    /** The simulated hardware can always read the data queues' rings through a group of their own. */
    @Override
    public boolean enableDescGroup() {
        queues.enableDescGroup();
        return true;
    }

    @Override
    public void setVqNum(int i, int num) {
        queues.setSize(i, num);
    }

    @Override
    public void setVqAddress(int i, Iova desc, Iova avail, Iova used) {
        queues.setAddresses(i, desc, avail, used);
    }

    @Override
    public void setVqBase(int i, int base) {
        queues.setBase(i, base);
    }

    @Override
    public int vqBase(int i) {
        return queues.base(i);
    }

    @Override
    public void setVqReady(int i, boolean ready) {
        queues.setReady(i, ready, state.lagNanos());
    }

    @Override
    public boolean vqReady(int i) {
        return queues.ready(i);
    }

    @Override
    public void setCallHandler(IntConsumer c) {
        this.call = c;
    }

    @Override
    public void setQueuePairsListener(QueuePairsListener listener) {
        this.pairsListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void setTranslations(IntFunction<DmaTranslation> t) {
        dma.setTranslations(t);
    }

    @Override
    public void setGroupAsid(int group, int asid) {
        queues.setGroupAsid(group, asid);
    }

    @Override
    public int status() {
        return state.get();
    }

    @Override
    public void setStatus(int s) {
        if (state.write(s)) { // DRIVER_OK: the queues check their layout, the rings are touched once the start lands
            String problem = queues.start();
            if (problem != null) {
                needsReset(problem);
                return;
            }
            state.startAfterLag(queues::kickReady);
        }
    }

    @Override
    public void reset() {
        state.reset();
        features.clear();
        rxFilter.reset();
        config.reset();
        queues.reset();
    }

    @Override
    public void suspend() {
        state.suspend();
    }

    @Override
    public void resume() {
        state.resume(queues::kickReady);
    }

    @Override
    public boolean suspended() {
        return state.suspended();
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
        return state.running();
    }

    /** The device runs and queue {@code q} is enabled, and its enable has reached the device. */
    boolean accepting(NetQueue q) {
        return running() && q.q.ready() && !q.enable.pending();
    }

    int asidOf(int vq) {
        return queues.asidOf(vq);
    }

    int ringAsidOf(int vq) {
        return queues.ringAsidOf(vq);
    }

    long driverFeatures() {
        return features.acked();
    }

    boolean has(int feature) {
        return features.has(feature);
    }

    /** The device stops until reset (NEEDS_RESET), giving back every frame it holds. */
    void needsReset(String why) {
        if (state.needsReset(why)) {
            counters.needsReset++;
            LOG.debug("virtio-net device needs reset: {}", why);
        }
        queues.releaseBuffers();
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
        if (size != Integer.BYTES || Long.compareUnsigned(value, queues.size()) >= 0) {
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
        NetQueue q = queues.get(i);
        if (q == null) {
            return;
        }
        state.startNow();
        q.enable.runNow();
        q.runGuarded();
    }

    @Override
    public void kick(int i) {
        queues.kick(i);
    }

    /** A frame from the wire (owned here from now on), for the RX queue its flow steers to ({@link NetQueues#steer}). */
    public void receive(ByteBuf frame) {
        queues.steer(frame, rxFilter.activePairs()).receive(frame);
    }
}
