package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;

/**
 * Hostile chains on the guest's control queue while QEMU shadows it (vhost_handle_guest_kick →
 * vhost_vdpa_net_handle_ctrl_avail): each case has its outcome — VIRTIO_NET_ERR, the chain returned
 * with length 0, or the queue stopped until the next start — counted, and never an exception; a good
 * command still works afterwards unless the ring itself was broken.
 */
class ShadowCvqHostileGuestTest {
    private static final int CVQ = VirtioNetNic.CTRL;
    private FrontendFixture f;
    private GuestCvq g;

    @BeforeEach
    void start() {
        f = new FrontendFixture(QemuVersion.MASTER, KernelVersion.V6_12, ParentKind.MLX5, ResetPolicy.LEGACY);
        g = new GuestCvq(f, CVQ);
        g.start(GuestCvq.FEATURES);
        assertTrue(f.fe.cvqShadowed());
    }

    @AfterEach
    void close() {
        f.close();
    }

    private long nicCommands() {
        return f.nic.counters().ctrlOk() + f.nic.counters().ctrlErr() + f.nic.counters().ctrlMalformed();
    }

    private void stillWorks() {
        assertEquals(VirtioNet.CTRL_OK, g.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, 0), "a good command after it");
    }

    private void kick(int head) {
        g.ring.offer(head);
        f.fe.notify(CVQ);
    }

    @Test
    void aLoopedChainIsReturnedWithLengthZero() {
        g.ring.writeDesc(0, Gpa.of(GuestCvq.CMD), 3, SplitRing.DESC_F_NEXT, 0);
        long before = nicCommands();
        kick(0);
        assertEquals(1, g.usedIdx());
        assertEquals(0, g.lastUsedLen());
        assertEquals(1, f.fe.counters().cvqGuestDropped());
        assertEquals(before, nicCommands(), "nothing reached the device");
        stillWorks();
    }

    @Test
    void aNextPastTheQueueIsReturnedWithLengthZero() {
        g.ring.writeDesc(0, Gpa.of(GuestCvq.CMD), 3, SplitRing.DESC_F_NEXT, GuestCvq.SIZE);
        kick(0);
        assertEquals(0, g.lastUsedLen());
        assertEquals(1, f.fe.counters().cvqGuestDropped());
        stillWorks();
    }

    @Test
    void aBufferOutsideRamOrWrappingIsReturnedWithLengthZero() {
        g.ring.writeDesc(0, Gpa.of(0xffff_ffff_ffff_f000L), 0xffff_ffff, SplitRing.DESC_F_NEXT, 1);
        g.ring.writeDesc(1, Gpa.of(GuestCvq.ACK), 1, SplitRing.DESC_F_WRITE, 0);
        kick(0);
        g.ring.writeDesc(0, Gpa.of(FrontendFixture.RAM + 0x1000), 3, SplitRing.DESC_F_NEXT, 1);
        kick(0);
        assertEquals(2, g.usedIdx());
        assertEquals(2, f.fe.counters().cvqGuestDropped());
        stillWorks();
    }

    @Test
    void aReadableDescriptorAfterAWritableOneIsReturnedWithLengthZero() {
        g.ring.writeDesc(0, Gpa.of(GuestCvq.ACK), 1, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1);
        g.ring.writeDesc(1, Gpa.of(GuestCvq.CMD), 3, 0, 0);
        kick(0);
        assertEquals(0, g.lastUsedLen());
        assertEquals(1, f.fe.counters().cvqGuestDropped());
        stillWorks();
    }

    @Test
    void anIndirectTableOfABadLengthIsReturnedWithLengthZero() {
        g.ring.writeDesc(0, Gpa.of(0x60000), 20, SplitRing.DESC_F_INDIRECT, 0);
        kick(0);
        g.ring.writeDesc(0, Gpa.of(0x60000), 0, SplitRing.DESC_F_INDIRECT, 0);
        kick(0);
        assertEquals(2, f.fe.counters().cvqGuestDropped());
        stillWorks();
    }

    @Test
    void anIndirectTableIsFollowed() {
        f.ram.write(GuestCvq.CMD, new byte[] {VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_ALLMULTI, 1}, 0, 3);
        long table = 0x60000;
        f.ram.putU64(table + SplitRing.DESC_ADDR, GuestCvq.CMD);
        f.ram.putU32(table + SplitRing.DESC_LEN, 3);
        f.ram.putU16(table + SplitRing.DESC_FLAGS, (short) SplitRing.DESC_F_NEXT);
        f.ram.putU16(table + SplitRing.DESC_NEXT, (short) 1);
        f.ram.putU64(table + 16 + SplitRing.DESC_ADDR, GuestCvq.ACK);
        f.ram.putU32(table + 16 + SplitRing.DESC_LEN, 1);
        f.ram.putU16(table + 16 + SplitRing.DESC_FLAGS, (short) SplitRing.DESC_F_WRITE);
        g.ring.writeDesc(0, Gpa.of(table), 32, SplitRing.DESC_F_INDIRECT, 0);
        kick(0);
        assertEquals(VirtioNet.CTRL_OK, g.ack());
        assertTrue(f.nic.rxFilter().allmulti());
    }

    @Test
    void aHeadPastTheQueueStopsTheQueueUntilTheNextStart() {
        g.ring.setAvailEntry(0, GuestCvq.SIZE + 3);
        g.ring.forceAvailIdx(1);
        f.fe.notify(CVQ);
        assertEquals(0, g.usedIdx(), "nothing can be pushed for a head that does not exist");
        assertEquals(1, f.fe.counters().cvqGuestBroken());
        f.fe.notify(CVQ);
        assertEquals(2, f.fe.counters().cvqGuestBroken(), "stays stopped");
        f.reset();
        g = new GuestCvq(f, CVQ);
        g.start(GuestCvq.FEATURES);
        stillWorks();
    }

    @Test
    void anAvailIndexMovedPastTheQueueSizeStopsTheQueue() {
        g.ring.forceAvailIdx(GuestCvq.SIZE + 1);
        f.fe.notify(CVQ);
        assertEquals(0, g.usedIdx());
        assertEquals(1, f.fe.counters().cvqGuestBroken());
    }

    @Test
    void aCommandWithNoRoomForTheAckIsRunAndReturnedWithLengthZero() {
        f.ram.write(GuestCvq.CMD, new byte[] {VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, 0}, 0, 3);
        g.ring.writeDesc(0, Gpa.of(GuestCvq.CMD), 3, 0, 0);
        kick(0);
        assertEquals(0, g.lastUsedLen());
        assertEquals(1, f.fe.counters().cvqGuestNoAck());
        assertTrue(!f.nic.rxFilter().promisc(), "QEMU forwards it anyway and the device runs it");
    }

    @Test
    void aCommandLongerThanTheBounceBufferOrShorterThanTheHeaderIsRefusedWithoutReachingTheDevice() {
        long before = nicCommands();
        g.ring.writeDesc(0, Gpa.of(GuestCvq.CMD), ShadowCvq.PAGE_LEN + 1, SplitRing.DESC_F_NEXT, 1);
        g.ring.writeDesc(1, Gpa.of(GuestCvq.ACK), 1, SplitRing.DESC_F_WRITE, 0);
        f.ram.putU8(GuestCvq.ACK, (byte) 0xff);
        kick(0);
        assertEquals(VirtioNet.CTRL_ERR, g.ack());
        g.ring.writeDesc(0, Gpa.of(GuestCvq.CMD), 1, SplitRing.DESC_F_NEXT, 1);
        kick(0);
        assertEquals(VirtioNet.CTRL_ERR, g.ack());
        assertEquals(2, f.fe.counters().cvqGuestMalformed());
        assertEquals(before, nicCommands());
        stillWorks();
    }

    @Test
    void whatTheDeviceRefusesLeavesQemusModelAsItWas() {
        assertEquals(VirtioNet.CTRL_ERR, g.send(99, 0, 1));
        assertEquals(VirtioNet.CTRL_ERR, g.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_ADDR_SET, 1, 2, 3));
        assertEquals(0x525400123456L, f.fe.modelMac());
        assertEquals(1, f.nic.counters().ctrlMalformed(), "the short MAC reached the device, which refused it");
    }

    @Test
    void anAnnounceAckIsQemusOwnAndNotForwarded() {
        long before = nicCommands();
        assertEquals(VirtioNet.CTRL_ERR, g.send(VirtioNet.CTRL_ANNOUNCE, VirtioNet.CTRL_ANNOUNCE_ACK));
        assertEquals(before, nicCommands(), "Guest announce capability is emulated by qemu");
    }

    @Test
    void kicksOfOtherQueuesGoToTheDeviceAndAQueueTheDeviceLacksIsIgnored() {
        f.fe.notify(0);
        f.fe.notify(Integer.MAX_VALUE);
        f.fe.notify(-1);
        stillWorks();
    }
}
