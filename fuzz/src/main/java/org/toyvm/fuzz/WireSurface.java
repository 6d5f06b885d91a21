package org.toyvm.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.toyvm.core.time.RealScheduler;
import org.toyvm.netdev.NetdevSpec;
import org.toyvm.netdev.StreamPort;
import org.toyvm.netdev.UdpPort;
import org.toyvm.netdev.WirePort;

/**
 * Frames on each wire port, in-process: datagrams into the VXLAN and dgram decoders of
 * {@link UdpPort}, and byte streams cut at random points into the length-prefixed record decoder of
 * {@link StreamPort} (on an {@link EmbeddedChannel}). The decoders are private to their ports, so
 * the surface reaches them reflectively on real ports bound to loopback port 0; nothing is sent on
 * the sockets.
 *
 * <p>Oracles: nothing escapes; what is delivered and what is counted malformed are exactly what an
 * independent model of the documented framing says (RFC 7348 header with the I flag and VNI 42;
 * frames of at least 14 bytes; stream records of 14..65536 bytes, a bad record skipped whole); every
 * buffer — inputs, cumulation, delivered slices — is released (refCnt 0) after the input.
 */
final class WireSurface implements Surface<WireSurface.Chunk> {
    private static final int VNI = 42;

    enum Kind { VXLAN, DGRAM, STREAM }

    /** A datagram (VXLAN/DGRAM) or a piece of the TCP byte stream (STREAM); the first chunk names the port. */
    record Chunk(Kind kind, byte[] bytes, int readerOffset) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + HexFormat.of().formatHex(bytes)
                    + (readerOffset > 0 ? " (reader index " + readerOffset + ")" : "");
        }
    }

    private final RealScheduler loop = new RealScheduler();
    private final UdpPort vxlan;
    private final UdpPort dgram;
    private final StreamPort stream;
    private final MethodHandle udpDecode;
    private final MethodHandle recordDecoder;
    private final TrackingAllocator alloc = new TrackingAllocator();
    private final List<byte[]> delivered = new ArrayList<>();
    private final List<ByteBuf> deliveredBufs = new ArrayList<>();

    WireSurface() {
        try {
            vxlan = UdpPort.open(NetdevSpec.parse("vxlan,local=127.0.0.1:0,remote=127.0.0.1:9,vni=" + VNI),
                    loop.eventLoop());
            dgram = UdpPort.open(NetdevSpec.parse("dgram,local=127.0.0.1:0,remote=127.0.0.1:9"), loop.eventLoop());
            stream = StreamPort.open(NetdevSpec.parse("stream,addr=127.0.0.1:0,server=on"), loop.eventLoop());
            Method m = UdpPort.class.getDeclaredMethod("decode", ByteBuf.class);
            m.setAccessible(true);
            udpDecode = MethodHandles.lookup().unreflect(m);
            Method rd = StreamPort.class.getDeclaredMethod("newDecoder");
            rd.setAccessible(true);
            recordDecoder = MethodHandles.lookup().unreflect(rd);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the wire ports' decoders moved: " + e, e);
        }
        for (WirePort p : new WirePort[] {vxlan, dgram, stream}) {
            p.setReceiver(f -> {
                byte[] b = new byte[f.readableBytes()];
                f.getBytes(f.readerIndex(), b);
                delivered.add(b);
                deliveredBufs.add(f);
                f.release();
            });
        }
    }

    @Override
    public String name() {
        return "wire";
    }

    // ------------------------------------------------------------------ generation

    private static final long[] LENGTHS = {0, 1, 13, 14, 15, 60, 1514, 65535, 65536, 65537, 0x7fff_ffffL,
        0x8000_0000L, 0xffff_ffffL};

    private static byte[] datagram(Gen g, Kind k) {
        int len = g.chance(70) ? 14 + g.below(120) : g.pick(new int[] {0, 1, 7, 8, 13, 14, 21, 22, 23});
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (k == Kind.VXLAN && g.chance(85)) {
            int flags = g.chance(85) ? 0x08 : g.below(256);
            int vni = g.chance(85) ? VNI : g.int32() & 0xff_ffff;
            b.writeBytes(new byte[] {(byte) flags, 0, 0, 0, (byte) (vni >>> 16), (byte) (vni >>> 8), (byte) vni,
                (byte) (g.chance(90) ? 0 : g.below(256))});
        }
        b.writeBytes(g.bytes(len));
        return b.toByteArray();
    }

    @Override
    public List<Chunk> generate(Gen g) {
        Kind k = g.pick(Kind.values());
        List<Chunk> s = new ArrayList<>();
        if (k != Kind.STREAM) {
            int n = 1 + g.below(8);
            for (int i = 0; i < n; i++) {
                s.add(new Chunk(k, datagram(g, k), g.chance(20) ? 1 + g.below(16) : 0));
            }
            return s;
        }
        // A stream of records (good ones and bad lengths), then cut at random points.
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int records = 1 + g.below(6);
        for (int i = 0; i < records; i++) {
            long len = g.chance(70) ? 14 + g.below(200) : g.pick(LENGTHS);
            long body = Math.min(len, 300 + g.below(100)); // a huge length is followed by what the peer had
            all.write((int) (len >>> 24));
            all.write((int) (len >>> 16));
            all.write((int) (len >>> 8));
            all.write((int) len);
            all.writeBytes(g.bytes((int) body));
        }
        if (g.chance(20)) {
            all.writeBytes(g.bytes(g.below(6))); // a torn tail
        }
        byte[] bytes = all.toByteArray();
        int at = 0;
        while (at < bytes.length) {
            int n = g.chance(50) ? bytes.length - at : 1 + g.below(Math.max(1, bytes.length - at));
            s.add(new Chunk(k, Arrays.copyOfRange(bytes, at, at + n), 0));
            at += n;
        }
        if (s.isEmpty()) {
            s.add(new Chunk(k, new byte[0], 0));
        }
        return s;
    }

    // ------------------------------------------------------------------ execution

    @Override
    public String run(List<Chunk> input) throws Throwable {
        delivered.clear();
        deliveredBufs.clear();
        if (input.isEmpty()) {
            return "empty";
        }
        Kind k = input.get(0).kind();
        List<byte[]> expected = new ArrayList<>();
        long expectedMalformed;
        long before;
        if (k == Kind.STREAM) {
            before = stream.malformed();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            input.forEach(c -> all.writeBytes(c.bytes()));
            expectedMalformed = streamModel(all.toByteArray(), expected);
            EmbeddedChannel ch = new EmbeddedChannel((ChannelHandler) recordDecoder.invoke(stream),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf f = (ByteBuf) msg;
                            byte[] b = new byte[f.readableBytes()];
                            f.getBytes(f.readerIndex(), b);
                            delivered.add(b);
                            deliveredBufs.add(f);
                            f.release();
                        }
                    });
            try {
                for (Chunk c : input) {
                    ch.writeInbound(buffer(c));
                }
            } finally {
                ch.finishAndReleaseAll();
            }
        } else {
            UdpPort port = k == Kind.VXLAN ? vxlan : dgram;
            before = port.malformed();
            expectedMalformed = 0;
            for (Chunk c : input) {
                expectedMalformed += datagramModel(k, c.bytes(), expected);
                ByteBuf d = buffer(c);
                try {
                    udpDecode.invoke(port, d);
                } finally {
                    d.release(); // as SimpleChannelInboundHandler does after channelRead0
                }
            }
        }
        long malformed = (k == Kind.STREAM ? stream.malformed() : (k == Kind.VXLAN ? vxlan : dgram).malformed()) - before;
        long want = expectedMalformed;
        OracleFailure.check(malformed == want, "malformed-count",
                () -> k + ": counted " + malformed + " malformed, the framing says " + want);
        OracleFailure.check(delivered.size() == expected.size(), "frames-delivered",
                () -> k + ": delivered " + delivered.size() + " frames, the framing says " + expected.size());
        for (int i = 0; i < expected.size(); i++) {
            int at = i;
            OracleFailure.check(Arrays.equals(delivered.get(i), expected.get(i)), "frame-bytes",
                    () -> k + ": frame " + at + " differs from the framing's");
        }
        for (ByteBuf b : deliveredBufs) {
            OracleFailure.check(b.refCnt() == 0, "delivered-frame-released", () -> k + ": a delivered frame is still referenced");
        }
        alloc.checkAllReleased("wire-input-buffers");
        return k + " frames=" + Math.min(expected.size(), 3) + " malformed=" + Math.min(expectedMalformed, 3);
    }

    /** The datagram inside a buffer whose reader index may not be 0 (as a slice of a larger read would be). */
    private ByteBuf buffer(Chunk c) {
        ByteBuf b = alloc.heapBuffer(c.readerOffset() + c.bytes().length);
        b.writeZero(c.readerOffset());
        b.writeBytes(c.bytes());
        b.readerIndex(c.readerOffset());
        return b;
    }

    /** RFC 7348 / QEMU dgram framing: answers 1 when the datagram is malformed, else adds the frame. */
    private static int datagramModel(Kind k, byte[] d, List<byte[]> frames) {
        int off = 0;
        if (k == Kind.VXLAN) {
            if (d.length < 8 + 14 || (d[0] & 0x08) == 0
                    || (((d[4] & 0xff) << 16) | ((d[5] & 0xff) << 8) | (d[6] & 0xff)) != VNI) {
                return 1;
            }
            off = 8;
        } else if (d.length < 14) {
            return 1;
        }
        frames.add(Arrays.copyOfRange(d, off, d.length));
        return 0;
    }

    /** QEMU -netdev stream framing as StreamPort documents it; answers the malformed records. */
    private static long streamModel(byte[] s, List<byte[]> frames) {
        long malformed = 0;
        long at = 0;
        while (at + 4 <= s.length) {
            int i = (int) at;
            long len = ((s[i] & 0xffL) << 24) | ((s[i + 1] & 0xffL) << 16) | ((s[i + 2] & 0xffL) << 8) | (s[i + 3] & 0xffL);
            if (len < 14 || len > StreamPort.MAX_FRAME) {
                malformed++;
                at += 4 + len; // skipped whole, also across later reads
                continue;
            }
            if (at + 4 + len > s.length) {
                break;
            }
            frames.add(Arrays.copyOfRange(s, i + 4, (int) (i + 4 + len)));
            at += 4 + len;
        }
        return malformed;
    }

    @Override
    public void close() {
        vxlan.close();
        dgram.close();
        stream.close();
        loop.close();
    }
}
