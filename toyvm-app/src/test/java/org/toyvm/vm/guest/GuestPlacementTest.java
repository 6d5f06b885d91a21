package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.memory.AddressSpace;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;

/**
 * The guest reaches its rings and buffers by guest physical address through the machine's address
 * space, so they work wherever guest RAM puts them — also above 4 GiB, where a GPA and its offset in
 * the RAM block differ (high RAM at GPA 4 GiB is pc.ram from offset 3 GiB).
 */
class GuestPlacementTest {
    static final long MEMORY = 8L << 30;
    /** High RAM is pc.ram shifted up by this much: GPA = block offset + 1 GiB. */
    static final long HIGH_SHIFT = Machine.FOUR_G - Machine.BELOW_4G_MAX;
    static final MacAddress GUEST_MAC = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress PEER_MAC = MacAddress.parse("52:54:00:00:00:01");
    static final Ipv4Cidr GUEST_IP = Ipv4Cidr.parse("192.168.77.2/24");
    static final Ipv4Address PEER_IP = Ipv4Address.parse("192.168.77.1");
    static final long PING_NS = 10_000_000L;

    final VirtualScheduler s = new VirtualScheduler();
    final InProcessWire wire = new InProcessWire(s, CostProfile.defaults().wireLatencyNs());
    final List<String> probeFailures = new ArrayList<>();
    int guestReplies;
    int peerReplies;
    Machine m;
    ToyGuest guest;
    PeerHost peer;

    private void boot(GuestLayout layout) {
        m = new Machine(new MachineConfig(MEMORY, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.PERSIST,
                CostProfile.defaults(), GUEST_MAC), s, wire.endA(), IotlbTraceSink.NONE);
        guest = new ToyGuest(m, layout, GUEST_MAC, GUEST_IP, PEER_IP, PING_NS, 0, new GuestEvents() {
            @Override
            public void probeFailed(long t, String why) {
                probeFailures.add(why);
            }

            @Override
            public void guestPingReplied(int seq, long t) {
                guestReplies++;
            }
        }, PooledByteBufAllocator.DEFAULT);
        peer = new PeerHost(s, wire.endB(), PEER_MAC, new Ipv4Cidr(PEER_IP, GUEST_IP.prefixLength()),
                GUEST_IP.address(), PING_NS, PooledByteBufAllocator.DEFAULT, new PeerHost.Events() {
                    @Override
                    public void requestSent(int flow, int seq, long t) {
                    }

                    @Override
                    public void replyReceived(int flow, int seq, long t) {
                        peerReplies++;
                    }
                });
        guest.powerOn();
        peer.start();
        // 4 s: on 6.7 the 8 GiB MR is built with serial MKEYs (1.6 s modelled) before traffic flows.
        s.runFor(4_000_000_000L);
    }

    @AfterEach
    void powerOff() {
        if (m != null) {
            guest.shutdown();
            peer.stop();
            m.close();
            s.runUntil(s.now() + 1_000_000_000L, () -> s.pendingTasks() == 0);
        }
        wire.endA().close();
        wire.endB().close();
        assertEquals(List.of(), s.failures());
    }

    private static long u(AddressSpace as, long gpa, int size) {
        return as.readValue(gpa, size).value();
    }

    /** The frame of the newest used element of the ring at {@code ring}, read by GPA from its buffer pool. */
    private static byte[] newestUsedFrame(AddressSpace as, Gpa ring, Gpa bufs, boolean rx) {
        DriverRing.Layout l = DriverRing.Layout.contiguous(ring, GuestLayout.QUEUE_SIZE);
        int usedIdx = (int) u(as, l.used().value() + SplitRing.USED_IDX, 2);
        assertNotEquals(0, usedIdx, "the device used no buffer");
        long elem = l.used().value() + SplitRing.usedElem((usedIdx - 1) & (GuestLayout.QUEUE_SIZE - 1));
        int id = (int) u(as, elem + SplitRing.USED_ELEM_ID, 4);
        // RX: the device wrote the length; TX: the descriptor holds what the driver wrote.
        int len = rx ? (int) u(as, elem + SplitRing.USED_ELEM_LEN, 4)
                : (int) u(as, l.desc().value() + SplitRing.desc(id) + SplitRing.DESC_LEN, 4);
        Gpa buf = bufs.plus((long) id * GuestLayout.BUF_SIZE);
        assertEquals(buf.value(), u(as, l.desc().value() + SplitRing.desc(id) + SplitRing.DESC_ADDR, 8),
                "the descriptor carries the buffer's GPA");
        byte[] frame = new byte[len - VirtioNet.HDR_V1_SIZE];
        as.read(buf.value() + VirtioNet.HDR_V1_SIZE, frame, 0, frame.length);
        return frame;
    }

    @Test
    void ringsAndBuffersAboveFourGigLandAtTheirGpa() {
        GuestLayout layout = GuestLayout.at(Gpa.of(Machine.FOUR_G + 0x10_0000));
        boot(layout);
        assertEquals(List.of(), probeFailures);
        assertTrue(guest.up());
        // Both directions work: the peer's requests were read from the RX buffers and answered
        // through the TX buffers, and the guest's own pings were answered.
        assertTrue(peerReplies > 100, "peer replies: " + peerReplies);
        assertTrue(guestReplies > 100, "guest replies: " + guestReplies);
        assertTrue(guest.rxFrames() > 100);

        AddressSpace as = m.systemMemory();
        DriverRing.Layout rxRing = DriverRing.Layout.contiguous(layout.rxRing(), GuestLayout.QUEUE_SIZE);
        for (int i = 0; i < GuestLayout.QUEUE_SIZE; i++) {
            long d = rxRing.desc().value() + SplitRing.desc(i);
            assertEquals(layout.rxBufs().value() + (long) i * GuestLayout.BUF_SIZE,
                    u(as, d + SplitRing.DESC_ADDR, 8), "RX descriptor " + i);
            assertEquals(GuestLayout.BUF_SIZE, u(as, d + SplitRing.DESC_LEN, 4));
            assertEquals(SplitRing.DESC_F_WRITE, u(as, d + SplitRing.DESC_FLAGS, 2));
        }
        byte[] in = newestUsedFrame(as, layout.rxRing(), layout.rxBufs(), true);
        assertEquals(PEER_MAC, MacAddress.fromBytes(in, 6), "an RX buffer holds a frame from the peer");
        byte[] out = newestUsedFrame(as, layout.txRing(), layout.txBufs(), false);
        assertEquals(GUEST_MAC, MacAddress.fromBytes(out, 6), "a TX buffer holds a frame from the guest");

        // The RAM behind those GPAs is pc.ram at GPA - 1 GiB ...
        long txBuf0 = layout.txBufs().value() + VirtioNet.HDR_V1_SIZE;
        long rxBuf0 = layout.rxBufs().value() + VirtioNet.HDR_V1_SIZE;
        assertNotEquals(0, u(as, txBuf0, 8), "TX buffer 0 carried a frame");
        assertNotEquals(0, u(as, rxBuf0, 8), "RX buffer 0 carried a frame");
        assertEquals(u(as, txBuf0, 8), m.ram().getU64(txBuf0 - HIGH_SHIFT), "TX buffer 0 by block offset");
        assertEquals(u(as, rxBuf0, 8), m.ram().getU64(rxBuf0 - HIGH_SHIFT), "RX buffer 0 by block offset");
        // ... and nothing was written where a GPA's value taken as a block offset would land (that
        // offset is GPA + 1 GiB as a GPA), nor at the default layout's addresses in low RAM.
        long base = layout.rxRing().value();
        byte[] zeros = new byte[(int) (layout.txBufs().value() + layout.poolBytes() - base)];
        byte[] seen = new byte[zeros.length];
        as.read(base + HIGH_SHIFT, seen, 0, seen.length);
        assertArrayEquals(zeros, seen, "guest data at the GPA-as-block-offset alias");
        as.read(GuestLayout.DEFAULT.rxRing().value(), seen, 0, seen.length);
        assertArrayEquals(zeros, seen, "guest data at the default layout");
    }

    @ParameterizedTest
    @ValueSource(longs = {Machine.BELOW_4G_MAX, Machine.BELOW_4G_MAX - GuestLayout.RING_SLOT,
        Machine.FOUR_G + MEMORY - Machine.BELOW_4G_MAX - 0x10_0000})
    void ringsOrBuffersOutsideGuestRamFailTheProbe(long base) {
        // In the PCI hole; the RX ring in low RAM and the TX ring in the hole; buffers past the top of RAM.
        boot(GuestLayout.at(Gpa.of(base)));
        assertEquals(List.of("guest RAM does not hold the rings"), probeFailures);
        assertFalse(guest.up());
        assertTrue((m.virtioNet().status() & VirtioStatus.FAILED) != 0);
        assertEquals(0, peerReplies);
    }

    @Test
    void aLayoutMustHoldItsRingsAndHeaders() {
        assertThrows(IllegalArgumentException.class, () -> new GuestLayout(Gpa.of(0), Gpa.of(0x1_0000),
                Gpa.of(0x2_0000), Gpa.of(0x3_0000), 4096, GuestLayout.BUF_SIZE));
        assertThrows(IllegalArgumentException.class, () -> new GuestLayout(Gpa.of(0), Gpa.of(0x1_0000),
                Gpa.of(0x2_0000), Gpa.of(0x3_0000), 255, GuestLayout.BUF_SIZE));
        assertThrows(IllegalArgumentException.class, () -> new GuestLayout(Gpa.of(0), Gpa.of(0x1_0000),
                Gpa.of(0x2_0000), Gpa.of(0x3_0000), 256, VirtioNet.HDR_V1_SIZE));
    }
}
