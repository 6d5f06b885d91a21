package org.toyvm.netdev;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * A heap allocator that remembers every buffer it made, so that whoever drives a NIC and its ports
 * can check after a reset or close that each frame buffer was released (refCnt 0): a leak shows on
 * the input that caused it, not later when the garbage collector runs Netty's leak detector. The
 * device tests and the fuzz oracles use it; it is cheap enough for millions of inputs.
 */
public class CountingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> made = new ArrayList<>();

    public CountingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        made.add(b);
        return b;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** Buffers made since the last {@link #forget()}. */
    public int made() {
        return made.size();
    }

    /** How many of them are still referenced. */
    public int live() {
        int n = 0;
        for (ByteBuf b : made) {
            if (b.refCnt() != 0) {
                n++;
            }
        }
        return n;
    }

    /** Stops remembering the buffers made so far. */
    public void forget() {
        made.clear();
    }
}
