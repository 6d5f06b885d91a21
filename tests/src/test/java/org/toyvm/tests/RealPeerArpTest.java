package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.RealScheduler;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.netdev.NetdevSpec;
import org.toyvm.netdev.UdpPort;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.Packets;

/**
 * The NIC against Linux: a hand-built ARP request pushed through a TX ring in guest memory (written
 * with the one driver-side ring, {@link DriverRing}) crosses
 * VXLAN to a Linux vxlan interface in a network namespace, and Linux's ARP reply lands in an RX
 * buffer in guest memory.
 */
class RealPeerArpTest {
    private static final MacAddress GUEST_MAC = MacAddress.parse("52:54:00:12:34:56");

    private static <T> T on(RealScheduler s, Callable<T> c) throws Exception {
        FutureTask<T> f = new FutureTask<>(c);
        s.execute(f);
        return f.get(10, TimeUnit.SECONDS);
    }

    private static final int RX_BUFFERS = 8;
    private static final int QUEUE_SIZE = 16;
    private static final DriverRing.Layout RX_RING = new DriverRing.Layout(Gpa.of(0x10000),
            Gpa.of(0x10000 + SplitRing.descTableSize(QUEUE_SIZE)), Gpa.of(0x11000));
    private static final DriverRing.Layout TX_RING = new DriverRing.Layout(Gpa.of(0x20000),
            Gpa.of(0x20000 + SplitRing.descTableSize(QUEUE_SIZE)), Gpa.of(0x21000));
    private static final long RX_BUFS = 0x40000;
    private static final long TX_BUF = 0x50000;

    private static void program(VirtioNetNic nic, int q, DriverRing.Layout l) {
        nic.setVqNum(q, QUEUE_SIZE);
        nic.setVqAddress(q, Iova.of(l.desc().value()), Iova.of(l.avail().value()), Iova.of(l.used().value()));
    }

    /** ARP request out through the TX ring; Linux's ARP reply found among the frames in RX buffers. */
    private static void exchange(RealScheduler s, RamBlock ram, VirtioNetNic nic) throws Exception {
        GuestRam guest = GuestRam.at(ram, Gpa.of(0));
        DriverRing rx = new DriverRing(guest, QUEUE_SIZE, RX_RING);
        DriverRing tx = new DriverRing(guest, QUEUE_SIZE, TX_RING);
        ByteBuf arp = Packets.arp(Unpooled.buffer().alloc(), Packets.ARP_REQUEST, GUEST_MAC,
                Ipv4Address.parse("192.168.77.2"), MacAddress.ZERO, Ipv4Address.parse("192.168.77.1"),
                MacAddress.BROADCAST);
        try {
            int arpLen = arp.readableBytes();
            on(s, () -> {
                for (int i = 0; i < RX_BUFFERS; i++) {
                    rx.writeDesc(i, Gpa.of(RX_BUFS + 0x1000L * i), 2048, SplitRing.DESC_F_WRITE, 0);
                    rx.add(i);
                }
                rx.publish();
                ram.zero(TX_BUF, VirtioNet.HDR_V1_SIZE);
                ram.writeFrom(TX_BUF + VirtioNet.HDR_V1_SIZE, arp, arpLen);
                tx.writeDesc(0, Gpa.of(TX_BUF), VirtioNet.HDR_V1_SIZE + arpLen, 0, 0);
                nic.setDriverFeatures(VirtioFeatures.bit(VirtioFeatures.F_VERSION_1));
                program(nic, VirtioNetNic.RX, RX_RING);
                program(nic, VirtioNetNic.TX, TX_RING);
                nic.setVqReady(VirtioNetNic.RX, true);
                nic.setVqReady(VirtioNetNic.TX, true);
                nic.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                        | VirtioStatus.DRIVER_OK);
                tx.offer(0);
                nic.kick(VirtioNetNic.TX);
                return null;
            });
        } finally {
            arp.release();
        }
        Packets.Arp reply = null;
        int seen = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (reply == null && System.nanoTime() < deadline) {
            while (reply == null && on(s, rx::hasUsed)) {
                seen++;
                byte[] frame = on(s, () -> {
                    byte[] b = new byte[rx.nextUsedLen() - VirtioNet.HDR_V1_SIZE];
                    ram.read(RX_BUFS + 0x1000L * rx.nextUsedId() + VirtioNet.HDR_V1_SIZE, b, 0, b.length);
                    rx.consumeUsed();
                    return b;
                });
                ByteBuf f = Unpooled.wrappedBuffer(frame);
                Packets.Arp a = Packets.parseArp(f);
                f.release();
                if (a != null && a.op() == Packets.ARP_REPLY) {
                    reply = a;
                }
            }
            Thread.sleep(20);
        }
        assertNotNull(reply, "Linux's ARP reply in one of the " + seen + " frames received");
        assertEquals(Ipv4Address.parse("192.168.77.1"), reply.senderIp());
        assertEquals(GUEST_MAC, reply.targetMac());
        assertEquals(1, on(s, () -> nic.counters().txFrames()));
    }

    @Test
    void linuxAnswersAnArpRequestFromTheTxRingIntoAnRxBuffer() throws Exception {
        Netns.requireNetns();
        try (Netns n = Netns.create("192.168.77.1/24"); RealScheduler s = new RealScheduler()) {
            HostAddressSpace mm = new HostAddressSpace();
            RamBlock ram = mm.map("guest", 1 << 20);
            VhostIotlb map = new VhostIotlb();
            map.add(0, (1 << 20) - 1, ram.base().value(), DmaEntry.PERM_RW);
            UdpPort port = UdpPort.open(NetdevSpec.parse(n.netdev(4789)), s.eventLoop());
            VirtioNetNic nic = on(s, () -> {
                VirtioNetNic x = new VirtioNetNic(s, mm, GUEST_MAC.value());
                x.setTranslations(asid -> map);
                x.attach(port);
                return x;
            });
            try {
                exchange(s, ram, nic);
            } finally {
                on(s, () -> {
                    nic.reset(); // returns the NIC's buffers, also when an assertion failed
                    return null;
                });
                port.close();
            }
        }
    }
}
