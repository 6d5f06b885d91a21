package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.toyvm.vdpa.dma.DmaEntry;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.nic.VirtioNetNic;
import org.toyvm.vdpa.wire.NetdevSpec;
import org.toyvm.vdpa.wire.UdpPort;
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
            long rxDesc = 0x10000;
            long rxAvail = rxDesc + 16 * 16;
            long rxUsed = 0x11000;
            long txDesc = 0x20000;
            long txAvail = txDesc + 16 * 16;
            long txUsed = 0x21000;
            // RX: one 2 KiB buffer. TX: header + ARP request who-has 192.168.77.1 tell 192.168.77.2.
            ByteBuf arp = Packets.arp(Unpooled.buffer().alloc(), Packets.ARP_REQUEST, GUEST_MAC,
                    Ipv4Address.parse("192.168.77.2"), MacAddress.ZERO, Ipv4Address.parse("192.168.77.1"),
                    MacAddress.BROADCAST);
            int arpLen = arp.readableBytes();
            on(s, () -> {
                ram.putU64(rxDesc, 0x40000);
                ram.putU32(rxDesc + 8, 2048);
                ram.putU16(rxDesc + 12, (short) SplitRing.DESC_F_WRITE);
                ram.putU16(rxAvail + SplitRing.availRing(0), (short) 0);
                ram.putU16(rxAvail + SplitRing.AVAIL_IDX, (short) 1);
                ram.zero(0x50000, 12);
                ram.writeFrom(0x50000 + 12, arp, arpLen);
                ram.putU64(txDesc, 0x50000);
                ram.putU32(txDesc + 8, 12 + arpLen);
                ram.putU16(txAvail + SplitRing.availRing(0), (short) 0);
                nic.setDriverFeatures(VirtioFeatures.bit(VirtioFeatures.F_VERSION_1));
                nic.setVqNum(0, 16);
                nic.setVqAddress(0, rxDesc, rxAvail, rxUsed);
                nic.setVqNum(1, 16);
                nic.setVqAddress(1, txDesc, txAvail, txUsed);
                nic.setVqReady(0, true);
                nic.setVqReady(1, true);
                nic.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                        | VirtioStatus.DRIVER_OK);
                ram.putU16Release(txAvail + SplitRing.AVAIL_IDX, (short) 1);
                nic.kick(1);
                return null;
            });
            arp.release();
            long deadline = System.nanoTime() + 10_000_000_000L;
            int used = 0;
            while (System.nanoTime() < deadline) {
                used = on(s, () -> ram.getU16(rxUsed + SplitRing.USED_IDX) & 0xffff);
                if (used > 0) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals(1, used, "Linux's ARP reply arrived in the RX ring");
            int len = on(s, () -> ram.getU32(rxUsed + SplitRing.usedElem(0) + 4));
            byte[] frame = new byte[len - 12];
            on(s, () -> {
                ram.read(0x40000 + 12, frame, 0, frame.length);
                return null;
            });
            ByteBuf f = Unpooled.wrappedBuffer(frame);
            Packets.Arp reply = Packets.parseArp(f);
            f.release();
            assertNotNull(reply, "an ARP packet");
            assertEquals(Packets.ARP_REPLY, reply.op());
            assertEquals(Ipv4Address.parse("192.168.77.1"), reply.senderIp());
            assertEquals(GUEST_MAC, reply.targetMac());
            assertTrue(on(s, () -> nic.counters().txFrames()) == 1);
            on(s, () -> {
                nic.reset();
                return null;
            });
            port.close();
        }
    }
}
