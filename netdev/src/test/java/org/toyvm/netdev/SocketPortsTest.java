package org.toyvm.netdev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.toyvm.core.time.RealScheduler;

/** The socket wire ports on loopback: framing as QEMU and Linux expect it, and malformed input dropped and counted. */
class SocketPortsTest {
    private static byte[] frame(int n) {
        byte[] f = new byte[n];
        for (int i = 0; i < n; i++) {
            f[i] = (byte) (i * 7);
        }
        return f;
    }

    private static byte[] take(LinkedBlockingQueue<byte[]> q) throws InterruptedException {
        byte[] b = q.poll(5, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no frame arrived");
        }
        return b;
    }

    private static void collect(WirePort p, LinkedBlockingQueue<byte[]> q) {
        p.setReceiver(f -> {
            byte[] b = new byte[f.readableBytes()];
            f.readBytes(b);
            f.release();
            q.add(b);
        });
    }

    @Test
    void vxlanFramesAndMalformedDatagrams() throws Exception {
        try (RealScheduler s = new RealScheduler(); DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            UdpPort port = UdpPort.open(NetdevSpec.parse("vxlan,local=127.0.0.1:0,remote=127.0.0.1:" + peer.getLocalPort()
                    + ",vni=42"), s.eventLoop());
            LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            collect(port, got);
            // Out: an 8-byte VXLAN header with the I flag and VNI 42, then the frame (RFC 7348 §5).
            port.send(Unpooled.wrappedBuffer(frame(60)));
            DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
            peer.setSoTimeout(5000);
            peer.receive(d);
            ByteBuffer h = ByteBuffer.wrap(d.getData(), 0, d.getLength());
            assertEquals(0x08000000, h.getInt());
            assertEquals(42 << 8, h.getInt());
            assertEquals(68, d.getLength());
            // In: a good one, then a wrong VNI, a missing I flag, a runt.
            InetSocketAddress to = port.localAddress();
            byte[] good = ByteBuffer.allocate(8 + 60).putInt(0x08000000).putInt(42 << 8).put(frame(60)).array();
            byte[] wrongVni = ByteBuffer.allocate(8 + 60).putInt(0x08000000).putInt(43 << 8).put(frame(60)).array();
            byte[] noFlag = ByteBuffer.allocate(8 + 60).putInt(0).putInt(42 << 8).put(frame(60)).array();
            byte[] runt = ByteBuffer.allocate(8 + 5).putInt(0x08000000).putInt(42 << 8).array();
            for (byte[] b : new byte[][] {wrongVni, noFlag, runt, good}) {
                peer.send(new DatagramPacket(b, b.length, to));
            }
            assertArrayEquals(frame(60), take(got));
            assertEquals(3, port.malformed());
            port.close();
        }
    }

    @Test
    void dgramCarriesRawFrames() throws Exception {
        try (RealScheduler s = new RealScheduler()) {
            UdpPort a = UdpPort.open(NetdevSpec.parse("dgram,local=127.0.0.1:0,remote=127.0.0.1:9"), s.eventLoop());
            UdpPort b = UdpPort.open(NetdevSpec.parse("dgram,local=127.0.0.1:0,remote=127.0.0.1:"
                    + a.localAddress().getPort()), s.eventLoop());
            LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            collect(a, got);
            b.send(Unpooled.wrappedBuffer(frame(100)));
            assertArrayEquals(frame(100), take(got));
            a.close();
            b.close();
        }
    }

    @Test
    void streamLengthPrefixedRecordsAndMalformedOnes() throws Exception {
        try (RealScheduler s = new RealScheduler()) {
            StreamPort port = StreamPort.open(NetdevSpec.parse("stream,addr=127.0.0.1:0,server=on"), s.eventLoop());
            LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            collect(port, got);
            try (Socket peer = new Socket("127.0.0.1", port.localAddress().getPort())) {
                OutputStream o = peer.getOutputStream();
                ByteBuffer b = ByteBuffer.allocate(4 + 4 + 5 + 4 + 70);
                b.putInt(0); // empty record
                b.putInt(5).put(new byte[5]); // runt record, skipped whole
                b.putInt(70).put(frame(70));
                o.write(b.array());
                o.flush();
                assertArrayEquals(frame(70), take(got));
                assertEquals(2, port.malformed());
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!port.connected() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                ByteBuf f = Unpooled.wrappedBuffer(frame(64));
                s.execute(() -> port.send(f));
                byte[] in = peer.getInputStream().readNBytes(4 + 64);
                assertEquals(64, ByteBuffer.wrap(in).getInt());
            }
            port.close();
        }
    }

    @Test
    void specErrorsNameTheBadPart() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetdevSpec.parse("vxlan,local=1.2.3.4:1,vni=1"))
                .getMessage().contains("remote"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NetdevSpec.parse("vxlan,local=1.2.3.4:1,remote=1.2.3.4:2,vni=99999999")).getMessage().contains("vni"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetdevSpec.parse("tap,ifname=x"))
                .getMessage().contains("tap,ifname=x"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetdevSpec.parse("dgram,local=host:1,remote=1.2.3.4:2"))
                .getMessage().contains("host:1"));
        assertEquals(NetdevSpec.Kind.LOCAL, NetdevSpec.parse("local").kind());
    }
}
