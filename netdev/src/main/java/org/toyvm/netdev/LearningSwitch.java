package org.toyvm.netdev;

import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An Ethernet switch joining wire ports, as the top-of-rack switch between two hosts in a live
 * migration: it learns each source MAC address's port from the frames it receives and forwards a
 * unicast frame to the port its destination was last seen on, floods broadcast, multicast and unknown
 * destinations to every other port, and drops a frame whose destination sits on the port it came from
 * (IEEE 802.1D transparent bridging; entries do not age here, a migration is far shorter than the
 * usual 300 s). A migrated guest is reached at its new port once it has sent one frame from there — its
 * gratuitous ARP, or any frame.
 *
 * <p>Frames shorter than an Ethernet header are counted and dropped. Each frame is released or handed
 * on exactly once (floods send retained duplicates).
 */
public final class LearningSwitch {
    private static final int HEADER = 14;

    private final List<WirePort> ports;
    private final Map<Long, Integer> table = new HashMap<>();
    private long dropped;
    private long flooded;
    private long moves;

    /** Joins {@code ports} (each the switch's end of a wire); the switch becomes their receiver. */
    public LearningSwitch(List<WirePort> ports) {
        this.ports = List.copyOf(ports);
        for (int i = 0; i < this.ports.size(); i++) {
            int from = i;
            this.ports.get(i).setReceiver(f -> receive(from, f));
        }
    }

    private static long mac(ByteBuf f, int at) {
        return ((long) f.getUnsignedShort(f.readerIndex() + at) << 32) | f.getUnsignedInt(f.readerIndex() + at + 2);
    }

    private void receive(int from, ByteBuf frame) {
        if (frame.readableBytes() < HEADER) {
            dropped++;
            frame.release();
            return;
        }
        long dst = mac(frame, 0);
        long src = mac(frame, 6);
        boolean group = (frame.getUnsignedByte(frame.readerIndex()) & 1) != 0;
        if ((frame.getUnsignedByte(frame.readerIndex() + 6) & 1) == 0) {
            Integer old = table.put(src, from);
            if (old != null && old != from) {
                moves++;
            }
        }
        Integer to = group ? null : table.get(dst);
        if (to == null) {
            flooded++;
            for (int i = 0; i < ports.size(); i++) {
                if (i != from) {
                    ports.get(i).send(frame.retainedDuplicate());
                }
            }
            frame.release();
        } else if (to == from) {
            dropped++;
            frame.release();
        } else {
            ports.get(to).send(frame);
        }
    }

    /** The port a MAC address (48 bits) was last seen on, or -1. */
    public int portOf(long mac) {
        Integer p = table.get(mac);
        return p == null ? -1 : p;
    }

    /** Frames dropped: too short, or addressed back to the port they came from. */
    public long dropped() {
        return dropped;
    }

    /** Frames sent to every other port. */
    public long flooded() {
        return flooded;
    }

    /** Times an address was learned on a port other than the one it was on: a station moved. */
    public long moves() {
        return moves;
    }
}
