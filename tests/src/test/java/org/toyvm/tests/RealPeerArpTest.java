package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.RealScheduler;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
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
 * The NIC against Linux: a hand-built ARP request pushed through a TX ring in guest memory crosses
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
    private static final long RX_DESC = 0x10000;
    private static final long RX_AVAIL = RX_DESC + 16 * 16;
    private static final long RX_USED = 0x11000;
    private static final long TX_DESC = 0x20000;
    private static final long TX_AVAIL = TX_DESC + 16 * 16;
    private static final long TX_USED = 0x21000;

    /** ARP request out through the TX ring; Linux's ARP reply found among the frames in RX buffers. */
    private static void exchange(RealScheduler s, RamBlock ram, VirtioNetNic nic) throws Exception {
        ByteBuf arp = Packets.arp(Unpooled.buffer().alloc(), Packets.ARP_REQUEST, GUEST_MAC,
                Ipv4Address.parse("192.168.77.2"), MacAddress.ZERO, Ipv4Address.parse("192.168.77.1"),
                MacAddress.BROADCAST);
        try {
            int arpLen = arp.readableBytes();
            on(s, () -> {
                for (int i = 0; i < RX_BUFFERS; i++) {
                    ram.putU64(RX_DESC + 16L * i, 0x40000 + 0x1000L * i);
                    ram.putU32(RX_DESC + 16L * i + 8, 2048);
                    ram.putU16(RX_DESC + 16L * i + 12, (short) SplitRing.DESC_F_WRITE);
                    ram.putU16(RX_AVAIL + SplitRing.availRing(i), (short) i);
                }
                ram.putU16(RX_AVAIL + SplitRing.AVAIL_IDX, (short) RX_BUFFERS);
                ram.zero(0x50000, 12);
                ram.writeFrom(0x50000 + 12, arp, arpLen);
                ram.putU64(TX_DESC, 0x50000);
                ram.putU32(TX_DESC + 8, 12 + arpLen);
                ram.putU16(TX_AVAIL + SplitRing.availRing(0), (short) 0);
                nic.setDriverFeatures(VirtioFeatures.bit(VirtioFeatures.F_VERSION_1));
                nic.setVqNum(0, 16);
                nic.setVqAddress(0, RX_DESC, RX_AVAIL, RX_USED);
                nic.setVqNum(1, 16);
                nic.setVqAddress(1, TX_DESC, TX_AVAIL, TX_USED);
                nic.setVqReady(0, true);
                nic.setVqReady(1, true);
                nic.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                        | VirtioStatus.DRIVER_OK);
                ram.putU16Release(TX_AVAIL + SplitRing.AVAIL_IDX, (short) 1);
                nic.kick(1);
                return null;
            });
        } finally {
            arp.release();
        }
        Packets.Arp reply = null;
        int seen = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (reply == null && System.nanoTime() < deadline) {
            int used = on(s, () -> ram.getU16(RX_USED + SplitRing.USED_IDX) & 0xffff);
            for (; seen < used && reply == null; seen++) {
                int i = seen;
                byte[] frame = on(s, () -> {
                    long e = RX_USED + SplitRing.usedElem(i);
                    int id = ram.getU32(e);
                    byte[] b = new byte[ram.getU32(e + 4) - 12];
                    ram.read(0x40000 + 0x1000L * id + 12, b, 0, b.length);
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
