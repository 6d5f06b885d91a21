package org.toyvm.netdev;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;

/**
 * Ethernet frames over UDP on a Netty datagram channel: either raw (QEMU {@code -netdev dgram}) or
 * inside an RFC 7348 VXLAN header, so that a Linux {@code vxlan} interface is the peer.
 *
 * <pre>
 * VXLAN header (8 bytes, network order):
 *   0 flags (0x08: VNI valid) | 1..3 reserved | 4..6 VNI (24 bits) | 7 reserved
 * </pre>
 * A datagram that is too short, has the I flag clear, carries another VNI, or holds a runt frame is
 * dropped and counted in {@link #malformed()}.
 */
public final class UdpPort extends AbstractWirePort {
    public static final int VXLAN_HLEN = 8;
    private static final int MIN_FRAME = 14;

    private final boolean vxlan;
    private final int vni;
    private final InetSocketAddress remote;
    private final Channel channel;

    private UdpPort(NetdevSpec spec, EventLoop loop) {
        super(spec.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + spec.local() + " -> " + spec.remote()
                + (spec.kind() == NetdevSpec.Kind.VXLAN ? " vni " + spec.vni() : ""));
        this.vxlan = spec.kind() == NetdevSpec.Kind.VXLAN;
        this.vni = spec.vni();
        this.remote = spec.remote();
        Bootstrap b = new Bootstrap().group(loop).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<DatagramPacket>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                                decode(p.content());
                            }
                        });
                    }
                });
        io.netty.channel.ChannelFuture bound = b.bind(spec.local()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new NetdevException("cannot bind --netdev " + spec.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " local address " + hostPort(spec.local()) + ": " + NetdevException.reason(bound.cause()),
                    bound.cause());
        }
        this.channel = bound.channel();
    }

    /** Opens a vxlan or dgram port on {@code loop}. */
    public static UdpPort open(NetdevSpec spec, EventLoop loop) {
        if (spec.kind() != NetdevSpec.Kind.VXLAN && spec.kind() != NetdevSpec.Kind.DGRAM) {
            throw new IllegalArgumentException("not a UDP netdev: " + spec.text());
        }
        return new UdpPort(spec, loop);
    }

    /** The content is released by SimpleChannelInboundHandler after this returns. */
    private void decode(ByteBuf d) {
        int off = d.readerIndex();
        if (vxlan) {
            if (d.readableBytes() < VXLAN_HLEN + MIN_FRAME || (d.getByte(off) & 0x08) == 0
                    || (d.getInt(off + 4) >>> 8) != vni) {
                malformed++;
                return;
            }
            off += VXLAN_HLEN;
        } else if (d.readableBytes() < MIN_FRAME) {
            malformed++;
            return;
        }
        deliver(d.retainedSlice(off, d.writerIndex() - off));
    }

    @Override
    public void send(ByteBuf frame) {
        ByteBuf payload = frame;
        if (vxlan) {
            ByteBuf h = channel.alloc().buffer(VXLAN_HLEN);
            h.writeInt(0x0800_0000).writeInt(vni << 8);
            payload = channel.alloc().compositeBuffer(2).addComponents(true, h, frame);
        }
        out++;
        channel.writeAndFlush(new DatagramPacket(payload, remote));
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
