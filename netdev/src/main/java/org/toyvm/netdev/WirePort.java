package org.toyvm.netdev;

import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/**
 * The NIC's port onto a wire: Ethernet frames as ByteBufs.
 *
 * <p>Ownership: {@link #send} takes the frame (the port releases it once written or dropped); the
 * receiver given to {@link #setReceiver} owns every frame it is handed and must release it.
 */
public interface WirePort extends AutoCloseable {
    void send(ByteBuf frame);

    void setReceiver(Consumer<ByteBuf> receiver);

    /**
     * True when the port touches a frame given to {@link #send} on the calling thread only: it is
     * consumed (and released) before {@code send} returns, or handed on the same thread to the
     * receiver of a device on the same loop — never queued for, written or released by another
     * thread. A sender may then hand frames whose reference count is not atomic. False unless the
     * port promises it: a port writing to a socket releases frames on its channel's event loop.
     */
    default boolean sameThread() {
        return false;
    }

    /** Datagrams or stream records dropped as malformed. */
    long malformed();

    /** Frames sent and received. */
    long framesOut();

    long framesIn();

    /** What the port is, e.g. "vxlan 127.0.0.1:4789 -> 127.0.0.1:4790 vni 42". */
    String describe();

    @Override
    void close();
}
