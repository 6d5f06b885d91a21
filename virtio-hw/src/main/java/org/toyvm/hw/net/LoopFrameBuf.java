package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.IllegalReferenceCountException;

/**
 * A TX frame buffer whose reference count is a plain int, for a port that keeps every frame on the
 * NIC's own loop ({@link org.toyvm.netdev.WirePort#sameThread()}). Netty's count is atomic, and the
 * two atomics a frame costs (retain when handed out, release when written to the RX ring) each wait
 * for every store before them — the whole frame copy — to drain: a third of a small packet's time
 * through an in-process port. Confined to one thread, the count needs no atomics.
 *
 * <p>Ownership is Netty's: the pool holds one reference, a frame handed out holds another, and the
 * memory is given back when the last one goes (the heap array is dropped to the collector). Netty's
 * own count stays 1 until then, so the buffer stays accessible exactly while references remain.
 * Never hand one to a port that may touch frames from another thread.
 */
final class LoopFrameBuf extends UnpooledHeapByteBuf {
    private int refs = 1;

    LoopFrameBuf(ByteBufAllocator alloc, int capacity) {
        super(alloc, capacity, capacity);
    }

    @Override
    public int refCnt() {
        return refs;
    }

    @Override
    public ByteBuf retain() {
        return retain(1);
    }

    @Override
    public ByteBuf retain(int n) {
        if (n <= 0 || refs == 0 || refs > Integer.MAX_VALUE - n) {
            throw new IllegalReferenceCountException(refs, n);
        }
        refs += n;
        return this;
    }

    @Override
    public boolean release() {
        return release(1);
    }

    @Override
    public boolean release(int n) {
        if (n <= 0 || n > refs) {
            throw new IllegalReferenceCountException(refs, -n);
        }
        refs -= n;
        if (refs == 0) {
            super.release(); // Netty's count 1 -> 0: the buffer is freed and no longer accessible
            return true;
        }
        return false;
    }

    @Override
    public ByteBuf touch() {
        return this;
    }

    @Override
    public ByteBuf touch(Object hint) {
        return this;
    }
}
