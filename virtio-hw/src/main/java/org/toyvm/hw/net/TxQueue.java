package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.queue.ChainError;
import org.toyvm.hw.queue.DescriptorChain;

/**
 * A transmit queue: each chain's frame (after the 12-byte virtio_net_hdr_v1) is copied into a frame
 * buffer and handed to the NIC's port; the chain goes back to the used ring with length 0 (the device
 * writes nothing into a TX chain).
 *
 * <p>Frame buffers come from a small pool allocated at DRIVER_OK and released at reset: a buffer is
 * handed to the port with an extra reference and reused once the port has released it (refCnt back
 * to 1), so the steady state allocates nothing per frame. When every one is still held downstream, a
 * fresh buffer is allocated for that frame. A port that keeps frames on the NIC's loop gets frames
 * from a second pool of {@link LoopFrameBuf}s, whose reference counts are not atomic.
 */
final class TxQueue extends NetQueue {
    private static final int POOL = 16;
    private final ByteBufAllocator alloc;
    private final ByteBuf[] pool = new ByteBuf[POOL];
    /** For a same-thread port; filled on first use (a NIC on a socket port never needs them). */
    private final ByteBuf[] loopPool = new ByteBuf[POOL];
    private int poolNext;

    TxQueue(VirtioNetNic nic, int index, ByteBufAllocator alloc) {
        super(nic, index);
        this.alloc = alloc;
    }

    @Override
    void start() {
        for (int i = 0; i < pool.length; i++) {
            if (pool[i] == null) {
                pool[i] = alloc.buffer(VirtioNetNic.MAX_FRAME, VirtioNetNic.MAX_FRAME);
            }
        }
    }

    @Override
    void reset() {
        super.reset();
        for (int i = 0; i < pool.length; i++) {
            if (pool[i] != null) {
                pool[i].release(); // downstream holders keep their own references
                pool[i] = null;
            }
            if (loopPool[i] != null) {
                loopPool[i].release();
                loopPool[i] = null;
            }
        }
    }

    /** A frame buffer owned by the caller (one reference), from the pool when one is free. */
    private ByteBuf frameBuffer() {
        boolean loop = nic.portSameThread();
        ByteBuf[] p = loop ? loopPool : pool;
        // A same-thread port has usually released the last frame already: looking from the first
        // buffer reuses the one still in cache. Otherwise go round, past buffers still held downstream.
        int from = loop ? 0 : poolNext;
        for (int k = 0; k < p.length; k++) {
            int i = (from + k) & (p.length - 1);
            ByteBuf b = p[i];
            if (b == null && loop) {
                b = p[i] = new LoopFrameBuf(alloc, VirtioNetNic.MAX_FRAME);
            }
            if (b != null && b.refCnt() == 1) {
                poolNext = i + 1;
                return b.clear().retain();
            }
        }
        return alloc.buffer(VirtioNetNic.MAX_FRAME);
    }

    @Override
    void process() {
        beginKick();
        NicCounters counters = nic.counters();
        int head;
        while (nic.running() && (head = q.pop()) >= 0) {
            ByteBuf frame = frameBuffer();
            ChainError err;
            try {
                err = readChain(head, frame);
            } catch (RuntimeException e) {
                frame.release(); // the NIC turns the failure into NEEDS_RESET; the buffer goes back first
                throw e;
            }
            if (err == ChainError.NONE) {
                counters.txFrames++;
                counters.pairTxFrames[pair()]++;
                counters.txBytes += frame.readableBytes();
                nic.transmit(frame); // owned downstream now (released on every path)
            } else {
                frame.release();
                counters.drop(err);
            }
            if (!q.addUsed(head, 0)) {
                break; // used ring not reachable: counted as a DMA fault
            }
        }
        endKick();
    }

    /** Copies a TX chain's frame (after the 12-byte header) into {@code frame}. */
    private ChainError readChain(int head, ByteBuf frame) {
        DescriptorChain chain = q.chain(head);
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
            if (frame.readableBytes() + len > VirtioNetNic.MAX_FRAME) {
                return ChainError.BAD_FRAME_LENGTH;
            }
            if (!q.resolve(addr, (int) len, DmaEntry.PERM_RO)) {
                return ChainError.DMA_FAULT;
            }
            q.dma().readResolved(frame);
        }
        if (chain.error() != ChainError.NONE) {
            return chain.error();
        }
        if (chain.totalLen() == 0) {
            return ChainError.EMPTY;
        }
        if (frame.readableBytes() < VirtioNetNic.ETH_HLEN) {
            return ChainError.BAD_FRAME_LENGTH;
        }
        return ChainError.NONE;
    }
}
