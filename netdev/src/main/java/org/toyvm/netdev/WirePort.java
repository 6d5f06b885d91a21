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
