package org.toyvm.netdev;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/** The receiver and counters every port keeps; frames received go to {@link #deliver}. */
abstract class AbstractWirePort implements WirePort {
    private volatile Consumer<ByteBuf> receiver = ReferenceCountUtil::release;
    private final String description;
    protected volatile long malformed;
    protected volatile long out;
    protected volatile long in;

    AbstractWirePort(String description) {
        this.description = description;
    }

    /** Hands a received frame (owned by the receiver from now on) on. */
    protected final void deliver(ByteBuf frame) {
        in++;
        receiver.accept(frame);
    }

    @Override
    public final void setReceiver(Consumer<ByteBuf> r) {
        this.receiver = r;
    }

    @Override
    public final long malformed() {
        return malformed;
    }

    @Override
    public final long framesOut() {
        return out;
    }

    @Override
    public final long framesIn() {
        return in;
    }

    @Override
    public final String describe() {
        return description;
    }
}
