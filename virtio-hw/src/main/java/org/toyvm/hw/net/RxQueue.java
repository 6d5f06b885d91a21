package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.queue.ChainError;
import org.toyvm.hw.queue.DescriptorChain;

/**
 * A receive queue: frames from the wire wait in a small backlog (the NIC's on-chip FIFO) until the
 * driver posts buffers; each is written, behind a virtio_net_hdr_v1 (all zero but num_buffers = 1: no
 * offloads, no merged buffers), into one device-writable chain. A chain is checked whole — direction,
 * room, every byte reachable — before anything is written, so nothing is ever partially written.
 */
final class RxQueue extends NetQueue {
    /** Frames waiting for RX buffers; more are dropped and counted. */
    static final int BACKLOG = 64;
    /** The header the device writes: num_buffers = 1 (little-endian), the rest zero. */
    private static final byte[] HEADER = new byte[VirtioNet.HDR_V1_SIZE];

    static {
        HEADER[VirtioNet.HDR_NUM_BUFFERS] = 1;
    }

    private final ArrayDeque<ByteBuf> backlog = new ArrayDeque<>(BACKLOG);

    RxQueue(VirtioNetNic nic, int index) {
        super(nic, index);
    }

    /**
     * A frame for this queue (owned here from now on). Runts (shorter than an Ethernet header) and
     * frames longer than the MTU allows are dropped and counted, as a NIC's MAC does, and so are
     * frames the driver's RX filter ({@link RxFilter}) does not want.
     */
    void receive(ByteBuf frame) {
        NicCounters counters = nic.counters();
        if (!nic.accepting(this)) {
            counters.rxDroppedNotRunning++;
            if (nic.running()) {
                counters.rxDroppedQueueDisabled++; // of those: the device runs, this pair's RX queue does not
            }
            frame.release();
            return;
        }
        int len = frame.readableBytes();
        if (len < VirtioNetNic.ETH_HLEN || len > VirtioNetNic.MAX_FRAME) {
            counters.rxDroppedBadLength++;
            frame.release();
            return;
        }
        RxFilter filter = nic.rxFilter();
        // Promiscuous (the state after reset) passes everything: the MAC is read from the config only when needed.
        if (!filter.promisc() && !filter.accepts(frame, nic.mac())) {
            counters.rxDroppedFiltered++; // QEMU virtio_net_receive_rcu: "if (!receive_filter(...)) return size"
            frame.release();
            return;
        }
        if (backlog.size() >= BACKLOG) {
            counters.rxNoBuffer++;
            frame.release();
            return;
        }
        backlog.add(frame);
        runGuarded(); // through the same guard as a kick: nothing escapes to the wire's event loop
    }

    @Override
    void releaseBuffers() {
        for (ByteBuf f; (f = backlog.poll()) != null;) {
            f.release();
        }
    }

    @Override
    void process() {
        beginKick();
        NicCounters counters = nic.counters();
        while (nic.running() && !backlog.isEmpty()) {
            int head = q.pop();
            if (head < 0) {
                break; // no buffer (or unusable ring): frames wait in the backlog
            }
            ByteBuf frame = backlog.poll();
            int written;
            try {
                written = writeChain(head, frame);
                if (written > 0) {
                    counters.rxFrames++;
                    counters.pairRxFrames[pair()]++;
                    counters.rxBytes += frame.readableBytes();
                }
            } finally {
                frame.release();
            }
            if (!q.addUsed(head, Math.max(written, 0))) {
                break;
            }
        }
        if (!nic.running()) {
            releaseBuffers();
        }
        endKick();
    }

    /** Writes header + frame into the chain at {@code head}; answers the bytes written or -1 (dropped, counted). */
    private int writeChain(int head, ByteBuf frame) {
        NicCounters counters = nic.counters();
        int need = VirtioNet.HDR_V1_SIZE + frame.readableBytes();
        DescriptorChain chain = q.chain(head);
        // First pass: device-writable and long enough.
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
        // Second pass: every byte that will be written is reachable.
        chain.rewind();
        int left = need;
        int resolved = 0;
        for (DescriptorChain.Descriptor d; left > 0 && (d = chain.next()) != null;) {
            int n = (int) Math.min(d.len(), left);
            if (n > 0) {
                if (!q.resolve(d.addr(), n, DmaEntry.PERM_WO)) {
                    counters.drop(ChainError.DMA_FAULT);
                    return -1;
                }
                resolved++;
            }
            left -= n;
        }
        if (resolved == 1) {
            // One buffer takes all of it (the usual case): the DMA engine still holds exactly the
            // segments the third pass would resolve again, so write through them now.
            q.dma().writeResolved(0, HEADER, 0, VirtioNet.HDR_V1_SIZE);
            q.dma().writeResolved(VirtioNet.HDR_V1_SIZE, frame, frame.readerIndex(), frame.readableBytes());
            return need;
        }
        // Third pass: header, then the frame.
        chain.rewind();
        left = need;
        int hdrDone = 0;
        int dataIndex = frame.readerIndex();
        for (DescriptorChain.Descriptor d; left > 0 && (d = chain.next()) != null;) {
            int n = (int) Math.min(d.len(), left);
            if (n == 0) {
                continue;
            }
            q.resolve(d.addr(), n, DmaEntry.PERM_WO); // reachable: the second pass said so
            int h = Math.min(VirtioNet.HDR_V1_SIZE - hdrDone, n);
            if (h > 0) {
                q.dma().writeResolved(0, HEADER, hdrDone, h);
                hdrDone += h;
            }
            if (n > h) {
                q.dma().writeResolved(h, frame, dataIndex, n - h);
                dataIndex += n - h;
            }
            left -= n;
        }
        return need;
    }
}
