package org.toyvm.netdev;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Ethernet frames over TCP, wire compatible with QEMU's {@code -netdev stream}: each frame is
 * preceded by its length as a 4-byte big-endian number. With {@code server=on} the port listens and
 * takes the first connection; otherwise it connects.
 *
 * <pre>
 *  | len (u32, big-endian) | frame (len bytes) | len | frame | ...
 * </pre>
 * A record of length 0, shorter than an Ethernet header, or longer than {@link #MAX_FRAME} is
 * skipped and counted in {@link #malformed()}; the stream stays in step.
 */
public final class StreamPort extends AbstractWirePort {
    public static final int MAX_FRAME = 65536;
    static final int MIN_FRAME = 14;

    private final Channel listener;
    private volatile Channel conn;

    private StreamPort(NetdevSpec spec, EventLoop loop) {
        super("stream " + spec.local() + (spec.server() ? " (listening)" : " (connecting)"));
        ChannelInitializer<SocketChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                conn = ch;
                ch.pipeline().addLast(newDecoder(), StreamRecordEncoder.INSTANCE);
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        deliver((ByteBuf) msg);
                    }
                });
            }
        };
        if (spec.server()) {
            io.netty.channel.ChannelFuture bound = new ServerBootstrap().group(loop)
                    .channel(NioServerSocketChannel.class).childHandler(init).bind(spec.local()).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                throw new NetdevException("cannot listen on --netdev stream address " + UdpPort.hostPort(spec.local())
                        + ": " + NetdevException.reason(bound.cause()), bound.cause());
            }
            listener = bound.channel();
        } else {
            listener = null;
            io.netty.channel.ChannelFuture connected = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                    .handler(init).connect(spec.remote()).awaitUninterruptibly();
            if (!connected.isSuccess()) {
                throw new NetdevException("cannot connect --netdev stream to " + UdpPort.hostPort(spec.remote()) + ": "
                        + NetdevException.reason(connected.cause()), connected.cause());
            }
        }
    }

    /** A record decoder counting into this port's {@link #malformed()} (the fuzzer drives one directly). */
    StreamRecordDecoder newDecoder() {
        return new StreamRecordDecoder(() -> malformed++);
    }

    public static StreamPort open(NetdevSpec spec, EventLoop loop) {
        if (spec.kind() != NetdevSpec.Kind.STREAM) {
            throw new IllegalArgumentException("not a stream netdev: " + spec.text());
        }
        return new StreamPort(spec, loop);
    }

    @Override
    public void send(ByteBuf frame) {
        Channel c = conn;
        if (c == null || !c.isActive()) {
            frame.release(); // no peer connected: the frame is lost, as on an unplugged cable
            return;
        }
        out++;
        c.writeAndFlush(frame); // StreamRecordEncoder puts the length in front
    }

    /** True once a peer is connected. */
    public boolean connected() {
        Channel c = conn;
        return c != null && c.isActive();
    }

    public java.net.InetSocketAddress localAddress() {
        return (java.net.InetSocketAddress) (listener != null ? listener.localAddress() : conn.localAddress());
    }

    @Override
    public void close() {
        if (conn != null) {
            conn.close().syncUninterruptibly();
        }
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }
}
