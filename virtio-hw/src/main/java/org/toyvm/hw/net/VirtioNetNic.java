package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.netdev.WirePort;

/**
 * The simulated vDPA network hardware: one queue pair (rx 0, tx 1) and a control queue (2), split
 * rings only, processed on the VM's scheduler. Every access to rings and buffers goes through the
 * {@link DmaEngine}, i.e. through the parent's current translation — so a parent that dropped its
 * mappings at reset leaves the device faulting, counted, and the datapath dead.
 *
 * <p>Reactions to a hostile guest (bad-input.md), one policy per case:
 * <ul>
 * <li>Ring state that cannot be trusted — avail idx more than the queue size ahead or moving back
 *     (§3), a head index ≥ queue size (§2), a bad queue size (any 32-bit value) or misaligned rings
 *     (§10), a ring that runs past 2^64 (§9): the device sets NEEDS_RESET and stops until reset.
 * <li>A bad chain (§1, §2 next, §4–7, §9, §11): the chain is returned to the used ring with length 0,
 *     dropped and counted by reason; the queue goes on.
 * <li>A DMA fault (§8, §12, §14–17): counted; a fault on a buffer drops that chain whole (nothing
 *     partially written); a fault on the rings stops this round of processing (a later kick retries).
 * <li>A doorbell write that is not a 32-bit index of one of the queues: ignored and counted. A wire
 *     frame shorter than an Ethernet header or longer than the MTU allows: dropped and counted.
 * </ul>
 * Values are read at their spec width, unsigned (16-bit indexes masked, 32-bit lengths as longs,
 * 64-bit addresses compared with {@code U64}), and checked before they index anything. Every Netty
 * buffer is released on every path, including an unexpected failure.
 */
public final class VirtioNetNic implements VirtioNetHardware {
    private static final Logger LOG = LogManager.getLogger(VirtioNetNic.class);
    public static final int RX = 0;
    public static final int TX = 1;
    public static final int CTRL = 2;
    public static final int MAX_QUEUE_SIZE = 256;
    public static final int MTU = 1500;
    private static final int ETH_HLEN = 14;
    /** Frames waiting for RX buffers (a small on-chip FIFO); more are dropped and counted. */
    private static final int RX_BACKLOG = 64;
    private static final int VIRTIO_NET_ERR = 1;

    /** What the hardware offers: VERSION_1, ACCESS_PLATFORM, MAC, MTU, STATUS, CTRL_VQ, INDIRECT_DESC, EVENT_IDX. */
    public static final long DEVICE_FEATURES = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1)
            | VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM) | VirtioFeatures.bit(VirtioFeatures.NET_F_MAC)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MTU) | VirtioFeatures.bit(VirtioFeatures.NET_F_STATUS)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VQ)
            | VirtioFeatures.bit(VirtioFeatures.RING_F_INDIRECT_DESC)
            | VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX);

    private final SimScheduler scheduler;
    private final DmaEngine dma;
    private final DescriptorChain chain;
    private final Virtqueue[] vqs = {new Virtqueue(RX), new Virtqueue(TX), new Virtqueue(CTRL)};
    private final int[] groupAsid = new int[2];
    private final byte[] config = new byte[VirtioNet.CONFIG_SIZE];
    private final NicCounters counters = new NicCounters();
    private final ArrayDeque<ByteBuf> rxBacklog = new ArrayDeque<>();
    /**
     * TX frame buffers, allocated at DRIVER_OK and released at reset: a buffer is handed to the port
     * with an extra reference and reused once the port has released it (refCnt back to 1), so the
     * steady state allocates nothing per frame. When every one is still held downstream, a fresh
     * buffer is allocated for that frame.
     */
    private final ByteBuf[] txPool = new ByteBuf[16];
    private int txPoolNext;
    private final ByteBufAllocator alloc;
    private IntConsumer call = q -> { };
    private WirePort port;
    private int status;
    private long driverFeatures;
    private boolean suspended;
    private String needsResetReason;

    public VirtioNetNic(SimScheduler scheduler, HostAddressSpace mm, long mac) {
        this(scheduler, mm, mac, PooledByteBufAllocator.DEFAULT);
    }

    public VirtioNetNic(SimScheduler scheduler, HostAddressSpace mm, long mac, ByteBufAllocator alloc) {
        this.scheduler = scheduler;
        this.dma = new DmaEngine(mm);
        this.chain = new DescriptorChain(dma);
        this.alloc = alloc;
        for (int i = 0; i < 6; i++) {
            config[VirtioNet.CONFIG_MAC + i] = (byte) (mac >>> (8 * (5 - i)));
        }
        for (Virtqueue q : vqs) {
            q.task = () -> {
                q.scheduled = false;
                process(q);
            };
        }
        config[VirtioNet.CONFIG_STATUS] = VirtioNet.S_LINK_UP;
        config[VirtioNet.CONFIG_MAX_VQ_PAIRS] = 1;
        config[VirtioNet.CONFIG_MTU] = (byte) MTU;
        config[VirtioNet.CONFIG_MTU + 1] = (byte) (MTU >>> 8);
    }

    /** Connects the NIC's port; frames the port receives go to the RX queue. */
    public void attach(WirePort p) {
        this.port = p;
        p.setReceiver(this::receive);
    }

    public DmaEngine dma() {
        return dma;
    }

    public NicCounters counters() {
        return counters;
    }

    public long dmaFaults() {
        return dma.faults();
    }

    public String needsResetReason() {
        return needsResetReason;
    }

    // ---------------------------------------------------------------- VirtioNetHardware

    @Override
    public long deviceFeatures() {
        return DEVICE_FEATURES;
    }

    @Override
    public void setDriverFeatures(long features) {
        driverFeatures = features & DEVICE_FEATURES;
    }

    @Override
    public int numQueues() {
        return vqs.length;
    }

    @Override
    public int maxQueueSize() {
        return MAX_QUEUE_SIZE;
    }

    @Override
    public int numGroups() {
        return 2;
    }

    @Override
    public int numAddressSpaces() {
        return 2;
    }

    @Override
    public int vqGroup(int vq) {
        return vq == CTRL ? 1 : 0;
    }

    private Virtqueue vq(int i) {
        return i >= 0 && i < vqs.length ? vqs[i] : null;
    }

    @Override
    public void setVqNum(int i, int num) {
        Virtqueue q = vq(i);
        if (q != null) {
            q.num = num;
        }
    }

    @Override
    public void setVqAddress(int i, long desc, long avail, long used) {
        Virtqueue q = vq(i);
        if (q != null) {
            q.desc = desc;
            q.avail = avail;
            q.used = used;
        }
    }

    @Override
    public void setVqBase(int i, int base) {
        Virtqueue q = vq(i);
        if (q != null) {
            q.lastAvail = base & 0xffff;
            q.usedIdx = base & 0xffff;
            q.signalledUsed = base & 0xffff;
        }
    }

    @Override
    public int vqBase(int i) {
        Virtqueue q = vq(i);
        return q == null ? 0 : q.lastAvail;
    }

    @Override
    public void setVqReady(int i, boolean ready) {
        Virtqueue q = vq(i);
        if (q != null) {
            q.ready = ready;
            if (ready) {
                kick(i);
            }
        }
    }

    @Override
    public boolean vqReady(int i) {
        Virtqueue q = vq(i);
        return q != null && q.ready;
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
            for (int i = 0; i < txPool.length; i++) {
                if (txPool[i] == null) {
                    txPool[i] = alloc.buffer(MTU + ETH_HLEN, MTU + ETH_HLEN);
                }
            }
            for (Virtqueue q : vqs) {
                if (q.ready) {
                    String problem = q.layoutProblem(MAX_QUEUE_SIZE);
                    if (problem != null) {
                        needsReset(problem);
                        return;
                    }
                }
            }
            for (Virtqueue q : vqs) {
                if (q.ready) {
                    kick(q.index);
                }
            }
        }
    }

    @Override
    public void reset() {
        status = 0;
        driverFeatures = 0;
        suspended = false;
        needsResetReason = null;
        for (Virtqueue q : vqs) {
            q.clear(); // §2.4: after reset the queues start over at index 0
        }
        groupAsid[0] = 0;
        groupAsid[1] = 0;
        releaseBacklog();
        for (int i = 0; i < txPool.length; i++) {
            if (txPool[i] != null) {
                txPool[i].release(); // downstream holders keep their own references
                txPool[i] = null;
            }
        }
    }

    /** A TX frame buffer owned by the caller (one reference), from the pool when one is free. */
    private ByteBuf txBuffer() {
        for (int k = 0; k < txPool.length; k++) {
            int i = (txPoolNext + k) & (txPool.length - 1);
            ByteBuf b = txPool[i];
            if (b != null && b.refCnt() == 1) {
                txPoolNext = i + 1;
                return b.clear().retain();
            }
        }
        return alloc.buffer(MTU + ETH_HLEN);
    }

    private void releaseBacklog() {
        for (ByteBuf f; (f = rxBacklog.poll()) != null;) {
            f.release();
        }
    }

    @Override
    public void suspend() {
        suspended = true;
    }

    @Override
    public void resume() {
        suspended = false;
        for (Virtqueue q : vqs) {
            if (q.ready) {
                kick(q.index);
            }
        }
    }

    @Override
    public boolean suspended() {
        return suspended;
    }

    @Override
    public int configSize() {
        return config.length;
    }

    /**
     * A range outside the config space (or the destination) copies nothing, as the parents' get_config
     * do (vdpasim_get_config, mlx5_vdpa_get_config: "if (offset + len <= sizeof(config)) memcpy").
     * All three values are unsigned.
     */
    @Override
    public void readConfig(int offset, byte[] dst, int dstIndex, int len) {
        if (within(offset, len, config.length) && within(dstIndex, len, dst.length)) {
            System.arraycopy(config, offset, dst, dstIndex, len);
        }
    }

    /** [off, off+len) inside [0, size), all unsigned 32-bit. */
    private static boolean within(int off, int len, int size) {
        long o = Integer.toUnsignedLong(off);
        long l = Integer.toUnsignedLong(len);
        return o + l <= size;
    }

    @Override
    public void writeConfig(int offset, byte[] src, int srcIndex, int len) {
        // virtio-net config is read-only for the driver; writes are ignored.
    }

    // ---------------------------------------------------------------- datapath

    private boolean running() {
        return (status & VirtioStatus.DRIVER_OK) != 0 && (status & VirtioStatus.NEEDS_RESET) == 0 && !suspended;
    }

    private int asidOf(Virtqueue q) {
        return groupAsid[vqGroup(q.index)];
    }

    private boolean has(int feature) {
        return VirtioFeatures.has(driverFeatures, feature);
    }

    private void needsReset(String why) {
        if ((status & VirtioStatus.NEEDS_RESET) == 0) {
            counters.needsReset++;
            needsResetReason = why;
            LOG.debug("virtio-net device needs reset: {}", why);
        }
        status |= VirtioStatus.NEEDS_RESET;
        releaseBacklog();
    }

    /**
     * A guest write to the notify area mapped into the guest (the host notifier page): a 32-bit queue
     * index, unsigned. Any other width, or an index the device does not have, is ignored and counted.
     */
    public void doorbell(long value, int size) {
        if (size != 4 || Long.compareUnsigned(value, vqs.length) >= 0) {
            counters.badDoorbells++;
            return;
        }
        kick((int) value);
    }

    @Override
    public void kick(int i) {
        Virtqueue q = vq(i);
        if (q == null || q.scheduled) {
            return;
        }
        q.scheduled = true;
        scheduler.execute(q.task);
    }

    private void process(Virtqueue q) {
        if (!running() || !q.ready) {
            return;
        }
        try {
            switch (q.index) {
                case TX -> processTx(q);
                case RX -> flushRx(q);
                default -> processCtrl(q);
            }
        } catch (RuntimeException e) {
            // Nothing the guest writes may escape to the event loop: an unexpected failure is a device error.
            LOG.warn("virtio-net queue {} failed: {}", q.index, e.toString());
            needsReset("internal error on queue " + q.index + ": " + e);
        }
    }

    /**
     * Takes the next available head; answers -1 when none is pending or the ring is unusable (fault
     * counted, or NEEDS_RESET set).
     */
    private int nextHead(Virtqueue q, int asid) {
        String problem = q.layoutProblem(MAX_QUEUE_SIZE);
        if (problem != null) {
            needsReset(problem);
            return -1;
        }
        int availIdx = q.availIdx(dma, asid);
        if (availIdx < 0) {
            return -1;
        }
        int pending = (availIdx - q.lastAvail) & 0xffff;
        if (pending == 0) {
            return -1;
        }
        if (pending > q.num) {
            needsReset("queue " + q.index + " avail idx " + availIdx + " is " + pending + " ahead of "
                    + q.lastAvail + " (more than the queue size " + q.num + ")");
            return -1;
        }
        int head = q.head(dma, asid);
        if (head < 0) {
            return -1;
        }
        if (head >= q.num) {
            needsReset("queue " + q.index + " head " + head + " >= queue size " + q.num);
            return -1;
        }
        q.lastAvail = (q.lastAvail + 1) & 0xffff;
        return head;
    }

    private void processTx(Virtqueue q) {
        int asid = asidOf(q);
        int before = q.usedIdx;
        int head;
        while (running() && (head = nextHead(q, asid)) >= 0) {
            ByteBuf frame = txBuffer();
            ChainError err;
            try {
                err = readTxChain(q, asid, head, frame);
            } catch (RuntimeException e) {
                frame.release(); // the caller turns the failure into NEEDS_RESET; the buffer goes back first
                throw e;
            }
            if (err == ChainError.NONE) {
                counters.txFrames++;
                counters.txBytes += frame.readableBytes();
                if (port != null) {
                    port.send(frame); // the port owns it now (and releases it on every path)
                } else {
                    frame.release();
                }
            } else {
                frame.release();
                counters.drop(err);
            }
            if (!q.pushUsed(dma, asid, head, 0)) {
                break; // used ring not reachable: counted as a DMA fault
            }
        }
        notifyIfNeeded(q, asid, before);
    }

    /** Copies a TX chain's frame (after the 12-byte header) into {@code frame}. */
    private ChainError readTxChain(Virtqueue q, int asid, int head, ByteBuf frame) {
        chain.reset(asid, q.desc, q.num, head, has(VirtioFeatures.RING_F_INDIRECT_DESC));
        int skip = VirtioNet.HDR_V1_SIZE;
        for (DescriptorChain.Descriptor d; (d = chain.next()) != null;) {
            if (d.writable()) {
                return ChainError.WRONG_DIRECTION;
            }
            long len = d.len();
            long addr = d.addr();
            if (skip > 0) {
                long s = Math.min(skip, len);
                skip -= (int) s;
                addr += s;
                len -= s;
            }
            if (len == 0) {
                continue;
            }
            if (frame.readableBytes() + len > MTU + ETH_HLEN) {
                return ChainError.BAD_FRAME_LENGTH;
            }
            if (!dma.resolve(asid, addr, (int) len, DmaEntry.PERM_RO)) {
                return ChainError.DMA_FAULT;
            }
            dma.readResolved(frame);
        }
        if (chain.error() != ChainError.NONE) {
            return chain.error();
        }
        if (chain.totalLen() == 0) {
            return ChainError.EMPTY;
        }
        if (frame.readableBytes() < ETH_HLEN) {
            return ChainError.BAD_FRAME_LENGTH;
        }
        return ChainError.NONE;
    }

    /**
     * A frame from the wire (owned here from now on). Runts (shorter than an Ethernet header) and
     * frames longer than the MTU allows are dropped and counted, as a NIC's MAC does.
     */
    public void receive(ByteBuf frame) {
        if (!running() || !vqs[RX].ready) {
            counters.rxDroppedNotRunning++;
            frame.release();
            return;
        }
        int len = frame.readableBytes();
        if (len < ETH_HLEN || len > MTU + ETH_HLEN) {
            counters.rxDroppedBadLength++;
            frame.release();
            return;
        }
        if (rxBacklog.size() >= RX_BACKLOG) {
            counters.rxNoBuffer++;
            frame.release();
            return;
        }
        rxBacklog.add(frame);
        process(vqs[RX]); // through the same guard as a kick: nothing escapes to the wire's event loop
    }

    private void flushRx(Virtqueue q) {
        int asid = asidOf(q);
        int before = q.usedIdx;
        while (running() && !rxBacklog.isEmpty()) {
            int head = nextHead(q, asid);
            if (head < 0) {
                break; // no buffer (or unusable ring): frames wait in the backlog
            }
            ByteBuf frame = rxBacklog.poll();
            int written;
            try {
                written = writeRxChain(q, asid, head, frame);
                if (written > 0) {
                    counters.rxFrames++;
                    counters.rxBytes += frame.readableBytes();
                }
            } finally {
                frame.release();
            }
            if (!q.pushUsed(dma, asid, head, Math.max(written, 0))) {
                break;
            }
        }
        if (!running()) {
            releaseBacklog();
        }
        notifyIfNeeded(q, asid, before);
    }

    /** Writes header + frame into an RX chain; answers the bytes written or -1 (dropped, counted). */
    private int writeRxChain(Virtqueue q, int asid, int head, ByteBuf frame) {
        int need = VirtioNet.HDR_V1_SIZE + frame.readableBytes();
        chain.reset(asid, q.desc, q.num, head, has(VirtioFeatures.RING_F_INDIRECT_DESC));
        // First pass: the chain must be device-writable and long enough, and every byte reachable,
        // before anything is written (no partial writes).
        long room = 0;
        for (DescriptorChain.Descriptor d; (d = chain.next()) != null;) {
            if (!d.writable()) {
                counters.drop(ChainError.WRONG_DIRECTION);
                return -1;
            }
            room += d.len();
        }
        if (chain.error() != ChainError.NONE) {
            counters.drop(chain.error());
            return -1;
        }
        if (room < need) {
            counters.drop(room == 0 ? ChainError.EMPTY : ChainError.RX_BUFFER_TOO_SHORT);
            return -1;
        }
        chain.reset(asid, q.desc, q.num, head, has(VirtioFeatures.RING_F_INDIRECT_DESC));
        int hdrLeft = VirtioNet.HDR_V1_SIZE;
        int left = need;
        // Check reachability of every piece first.
        for (DescriptorChain.Descriptor d; left > 0 && (d = chain.next()) != null;) {
            int n = (int) Math.min(d.len(), left);
            if (n > 0 && !dma.resolve(asid, d.addr(), n, DmaEntry.PERM_WO)) {
                counters.drop(ChainError.DMA_FAULT);
                return -1;
            }
            left -= n;
        }
        chain.reset(asid, q.desc, q.num, head, has(VirtioFeatures.RING_F_INDIRECT_DESC));
        left = need;
        int dataIndex = frame.readerIndex();
        for (DescriptorChain.Descriptor d; left > 0 && (d = chain.next()) != null;) {
            int n = (int) Math.min(d.len(), left);
            if (n == 0) {
                continue;
            }
            dma.resolve(asid, d.addr(), n, DmaEntry.PERM_WO);
            int h = Math.min(hdrLeft, n);
            if (h > 0) {
                // virtio_net_hdr_v1: all zero but num_buffers = 1 (no offloads, no merged buffers).
                writeHeaderBytes(asid, d.addr(), VirtioNet.HDR_V1_SIZE - hdrLeft, h);
                hdrLeft -= h;
            }
            if (n > h) {
                dma.resolve(asid, d.addr() + h, n - h, DmaEntry.PERM_WO);
                dma.writeResolved(frame, dataIndex, n - h);
                dataIndex += n - h;
            }
            left -= n;
        }
        return need;
    }

    private void writeHeaderBytes(int asid, long addr, int from, int count) {
        dma.resolve(asid, addr, count, DmaEntry.PERM_WO);
        dma.zeroResolved(count);
        int numBuffersAt = VirtioNet.HDR_NUM_BUFFERS - from;
        if (numBuffersAt >= 0 && numBuffersAt < count) {
            dma.writeU16(asid, addr + numBuffersAt, 1, false);
        }
    }

    /** Control queue: the device accepts no control command; each is answered VIRTIO_NET_ERR (virtio 1.x §5.1.6.5). */
    private void processCtrl(Virtqueue q) {
        int asid = asidOf(q);
        int before = q.usedIdx;
        int head;
        while (running() && (head = nextHead(q, asid)) >= 0) {
            chain.reset(asid, q.desc, q.num, head, has(VirtioFeatures.RING_F_INDIRECT_DESC));
            // The ack is the last byte of the last writable buffer; 2^64-1 is a valid address, so a flag
            // (not a sentinel address) says whether there is one.
            long ackAddr = 0;
            boolean hasAck = false;
            for (DescriptorChain.Descriptor d; (d = chain.next()) != null;) {
                if (d.writable() && d.len() > 0) {
                    ackAddr = d.addr() + d.len() - 1; // no wrap: the chain checked addr + len - 1
                    hasAck = true;
                }
            }
            int written = 0;
            if (chain.error() == ChainError.NONE && hasAck && dma.writeU8(asid, ackAddr, VIRTIO_NET_ERR)) {
                written = 1;
            } else if (chain.error() != ChainError.NONE) {
                counters.drop(chain.error());
            }
            if (!q.pushUsed(dma, asid, head, written)) {
                break;
            }
        }
        notifyIfNeeded(q, asid, before);
    }

    /** Interrupt the guest unless it asked not to be (NO_INTERRUPT, or EVENT_IDX's used_event). */
    private void notifyIfNeeded(Virtqueue q, int asid, int before) {
        if (q.usedIdx == before) {
            return;
        }
        boolean notify;
        if (has(VirtioFeatures.RING_F_EVENT_IDX)) {
            int event = q.usedEvent(dma, asid);
            notify = event >= 0 && SplitRing.needEvent(event, q.usedIdx, q.signalledUsed);
        } else {
            int flags = q.availFlags(dma, asid);
            notify = flags >= 0 && (flags & SplitRing.AVAIL_F_NO_INTERRUPT) == 0;
        }
        if (notify) {
            q.signalledUsed = q.usedIdx;
            counters.notifications++;
            call.accept(q.index);
        }
    }
}
