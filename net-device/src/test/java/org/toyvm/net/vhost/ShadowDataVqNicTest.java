package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.WirePort;

/**
 * The shadowed RX and TX queues of one pair in front of the real simulated NIC (virtio-hw) under the
 * mlx5 parent: frames go guest ring → SVQ → shadow ring → NIC → wire and back, the NIC's call goes to
 * the SVQ ({@link ShadowDataVq#deviceCall}), which pushes to the guest and says whether to interrupt.
 */
class ShadowDataVqNicTest {
    private static final long MAC = 0x525400123456L;
    private static final long BUF = 0x100000;
    /** The guest acks what the NIC offers but EVENT_IDX (the toy guest does not ack it either). */
    private static final long FEATURES = ~VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX);

    private VirtioNetNic nic;
    private InProcessWire wire;
    private final SvqFixture f = new SvqFixture((s, mm) -> {
        nic = new VirtioNetNic(s, mm, MAC, UnpooledByteBufAllocator.DEFAULT);
        wire = new InProcessWire(s, 0);
        nic.attach(wire.endA());
        return nic;
    }, FEATURES);
    private final WirePort far = wire.endB();
    private final List<byte[]> onWire = new ArrayList<>();
    private final List<Integer> interrupts = new ArrayList<>();
    private final DriverRing rx = f.guestRing(64, 0x10000);
    private final DriverRing tx = f.guestRing(64, 0x20000);
    private final ShadowDataVq rxq = f.svq(VirtioNetNic.RX);
    private final ShadowDataVq txq = f.svq(VirtioNetNic.TX);

    private void start(int base) {
        far.setReceiver(b -> {
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            b.release();
            onWire.add(a);
        });
        ShadowDataVq[] byQueue = {rxq, txq};
        nic.setCallHandler(q -> {
            if (q < byQueue.length && byQueue[q].deviceCall()) {
                interrupts.add(q);
            }
        });
        rxq.start(SvqFixture.queue(VirtioNetNic.RX, rx), base, f.shadowIova(), 0);
        txq.start(SvqFixture.queue(VirtioNetNic.TX, tx), base, f.shadowIova(), 0);
        f.ops.addStatus(VirtioStatus.DRIVER_OK, "test");
        f.ops.check(f.dev.setVringEnable(VirtioNetNic.RX, true), "enable");
        f.ops.check(f.dev.setVringEnable(VirtioNetNic.TX, true), "enable");
        f.s.runUntilIdle();
    }

    @AfterEach
    void close() {
        nic.reset();
        f.s.runUntilIdle();
    }

    private static byte[] frame(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (MAC >>> (8 * (5 - i))); // to the NIC's MAC
        }
        for (int i = 6; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    @Test
    void framesCrossTheShadowQueuesBothWays() {
        start(0);
        for (int k = 0; k < 4; k++) {
            rx.writeDesc(k, Gpa.of(BUF + 0x1000L * k), 2048, SplitRing.DESC_F_WRITE, 0);
            rx.add(k);
        }
        rx.publish();
        rxq.guestKick();
        f.s.runUntilIdle();
        assertEquals(4, rxq.forwarded());

        // TX: header + frame in one buffer
        byte[] out = frame(100, 7);
        long at = BUF + 0x10000;
        f.ram.zero(at, VirtioNet.HDR_V1_SIZE);
        f.ram.write(at + VirtioNet.HDR_V1_SIZE, out, 0, out.length);
        tx.writeDesc(3, Gpa.of(at), VirtioNet.HDR_V1_SIZE + out.length, 0, 0);
        tx.offer(3);
        txq.guestKick();
        f.s.runUntilIdle();
        assertEquals(1, onWire.size());
        assertArrayEquals(out, onWire.get(0));
        assertEquals(1, tx.usedIdx());
        assertEquals(3, tx.usedId(0));
        assertTrue(interrupts.contains(VirtioNetNic.TX));

        // RX: a frame from the wire lands in the guest's first buffer, with the NIC's length
        byte[] in = frame(200, 3);
        far.send(Unpooled.wrappedBuffer(in));
        f.s.runUntilIdle();
        assertEquals(1, rx.usedIdx());
        assertEquals(0, rx.usedId(0));
        assertEquals(VirtioNet.HDR_V1_SIZE + in.length, rx.usedLen(0));
        byte[] got = new byte[in.length];
        f.ram.read(BUF + VirtioNet.HDR_V1_SIZE, got, 0, in.length);
        assertArrayEquals(in, got);
        assertTrue(interrupts.contains(VirtioNetNic.RX));

        // stop (after the device's suspend): the three RX buffers in flight are unpopped
        f.ops.suspend(0);
        assertEquals(1, rxq.stop());
        assertEquals(1, txq.stop());
    }

    @Test
    void whatTheGuestQueuedBeforeTheSwitchGoesOutOnceTheDeviceRuns() {
        byte[] out = frame(80, 9);
        long at = BUF + 0x10000;
        f.ram.zero(at, VirtioNet.HDR_V1_SIZE);
        f.ram.write(at + VirtioNet.HDR_V1_SIZE, out, 0, out.length);
        tx.forceAvailIdx(500);
        f.ram.putU16(tx.layout().used().value() + SplitRing.USED_IDX, (short) 500);
        tx.writeDesc(0, Gpa.of(at), VirtioNet.HDR_V1_SIZE + out.length, 0, 0);
        tx.offer(0);
        rx.forceAvailIdx(500);
        start(500); // forwarded at the SVQ start, before DRIVER_OK and the enables
        assertEquals(1, txq.forwarded());
        assertEquals(1, onWire.size(), "the NIC took it when it started");
        assertArrayEquals(out, onWire.get(0));
        assertEquals(501, tx.usedIdx());
        assertEquals(0, tx.usedId(500));
        f.ops.suspend(0);
        assertEquals(501, txq.stop());
        assertEquals(500, rxq.stop());
    }
}
