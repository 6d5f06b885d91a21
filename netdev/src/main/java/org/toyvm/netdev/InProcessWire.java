package org.toyvm.netdev;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.toyvm.core.time.SimScheduler;

/**
 * A wire inside the process, for the virtual clock: two ends, each a Netty pipeline on an
 * {@link EmbeddedChannel}; a frame written at one end arrives at the other after the wire latency,
 * scheduled on the simulation's scheduler (never a real delay).
 *
 * <pre>
 *  end A: send(frame) -> [outbound: latency] --scheduler.schedule(latency)--> end B pipeline -> receiver
 * </pre>
 */
public final class InProcessWire {
    private final End a;
    private final End b;

    public InProcessWire(SimScheduler scheduler, long latencyNs) {
        a = new End(scheduler, latencyNs, "in-process A");
        b = new End(scheduler, latencyNs, "in-process B");
        a.peer = b;
        b.peer = a;
    }

    /** Frames on the wire in either direction right now. */
    public int inFlight() {
        return a.inFlight.size() + b.inFlight.size();
    }

    public WirePort endA() {
        return a;
    }

    public WirePort endB() {
        return b;
    }

    private static final class End extends AbstractWirePort {
        private final SimScheduler scheduler;
        private final long latencyNs;
        private final EmbeddedChannel channel;
        private End peer;
        /** Frames on the wire towards this end, oldest first (constant latency keeps them in order). */
        private final java.util.ArrayDeque<ByteBuf> inFlight = new java.util.ArrayDeque<>();
        private boolean closed;

        End(SimScheduler scheduler, long latencyNs, String name) {
            super(name + " (latency " + latencyNs + " ns)");
            this.scheduler = scheduler;
            this.latencyNs = latencyNs;
            this.channel = new EmbeddedChannel();
            channel.pipeline().addLast("wire-out", new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    ByteBuf frame = (ByteBuf) msg;
                    End to = peer;
                    to.inFlight.add(frame);
                    scheduler.schedule(to::arrive, latencyNs);
                    promise.setSuccess();
                }
            });
            channel.pipeline().addLast("wire-in", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    deliver((ByteBuf) msg);
                }
            });
        }

        void arrive() {
            ByteBuf frame = inFlight.poll();
            if (frame == null) {
                return; // released by close()
            }
            channel.pipeline().fireChannelRead(frame);
        }

        @Override
        public void send(ByteBuf frame) {
            if (closed) {
                frame.release();
                return;
            }
            out++;
            channel.writeAndFlush(frame);
        }






        @Override
        public void close() {
            closed = true;
            for (ByteBuf f; (f = inFlight.poll()) != null;) {
                f.release();
            }
            channel.finishAndReleaseAll();
        }
    }
}
