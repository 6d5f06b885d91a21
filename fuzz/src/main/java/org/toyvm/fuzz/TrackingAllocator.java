package org.toyvm.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it made, so that a surface can check after close or
 * reset that each one was released (refCnt 0): a leak is found on the input that caused it, not
 * later by the garbage collector. Heap buffers only; cheap enough for millions of inputs.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> made = new ArrayList<>();

    public TrackingAllocator() {
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

    /** Buffers made so far. */
    public int made() {
        return made.size();
    }

    /** How many buffers are still referenced. */
    public int live() {
        int n = 0;
        for (ByteBuf b : made) {
            if (b.refCnt() != 0) {
                n++;
            }
        }
        return n;
    }

    /** Fails the LEAK oracle {@code what} when a buffer is still referenced; then forgets them all. */
    public void checkAllReleased(String what) {
        int live = live();
        int total = made.size();
        made.clear();
        if (live != 0) {
            throw OracleFailure.leak(what, live + " of " + total + " buffers still referenced");
        }
    }
}
