package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.toyvm.net.device.VirtioMmioLayout.*;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.net.device.VirtioNetDevice;
import org.toyvm.net.device.VirtioNetState;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;

/**
 * A whole migration of one NIC between two VMMs, each with its own kernel, mlx5 parent and simulated
 * NIC on the one virtual clock: the guest's traffic in passthrough, the switch to shadow virtqueues
 * (vhost_vdpa_net_log_global_enable), traffic through the SVQs, the stop-and-copy
 * (virtio_vmstate_change(stop), virtio_save), RAM copied, virtio_load on the destination and its
 * vm_start in passthrough from the migrated indices, with the control state replayed. The proof that
 * the indices travelled: the destination's NIC sends only the frame the guest adds after the move,
 * and its first received frame lands in the first buffer the source had not used.
 */
class MiniMigrationTest {
    private static final long BUF_RX = 0x100000;
    private static final long BUF_TX = 0x180000;
    private static final long COPIED = 0x200000;
    private static final int RING = 256;
    private static final long NEW_MAC = 0x525400aabbccL;

    /** One VMM: the frontend fixture, the guest-facing device, a wire to a peer. */
    static final class Side implements AutoCloseable {
        final FrontendFixture f;
        final VirtioNetDevice dev;
        final WirePort far;
        final List<byte[]> onWire = new ArrayList<>();
        final List<Integer> interrupts = new ArrayList<>();

        Side(QemuVersion q, ResetPolicy p, MigrationTechniques t) {
            f = new FrontendFixture(q, KernelVersion.V6_12, ParentKind.MLX5, p, t);
            dev = new VirtioNetDevice(f.fe);
            InProcessWire wire = new InProcessWire(f.s, 0);
            f.nic.attach(wire.endA());
            far = wire.endB();
            far.setReceiver(b -> {
                byte[] a = new byte[b.readableBytes()];
                b.readBytes(a);
                b.release();
                onWire.add(a);
            });
            f.nic.setCallHandler(f.fe::deviceCall);
            f.fe.setGuestNotifier(interrupts::add);
        }

        DriverRing ring(long base, int size) {
            return DriverRing.contiguous(GuestRam.at(f.ram, Gpa.of(0)), size, Gpa.of(base));
        }

        void run() {
            f.s.runUntilIdle();
        }

        @Override
        public void close() {
            f.close();
            f.s.runUntilIdle();
        }
    }

    private static void reg(VirtioNetDevice d, int off, long v) {
        d.write(off, v, 4);
    }

    /** A Linux-style probe over MMIO: features, rx/tx/ctrl rings at GuestCvq's addresses, DRIVER_OK. */
    private static void probe(Side s, long features) {
        VirtioNetDevice d = s.dev;
        reg(d, STATUS, 0);
        reg(d, STATUS, VirtioStatus.ACKNOWLEDGE);
        reg(d, STATUS, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER);
        reg(d, DRIVER_FEATURES_SEL, 0);
        reg(d, DRIVER_FEATURES, features & 0xffff_ffffL);
        reg(d, DRIVER_FEATURES_SEL, 1);
        reg(d, DRIVER_FEATURES, features >>> 32);
        reg(d, STATUS, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK);
        long[][] rings = {{GuestCvq.RX, RING}, {GuestCvq.TX, RING}, {GuestCvq.RING, GuestCvq.SIZE}};
        for (int q = 0; q < rings.length; q++) {
            DriverRing.Layout l = DriverRing.Layout.contiguous(Gpa.of(rings[q][0]), (int) rings[q][1]);
            reg(d, QUEUE_SEL, q);
            reg(d, QUEUE_NUM, rings[q][1]);
            reg(d, QUEUE_DESC_LOW, l.desc().value());
            reg(d, QUEUE_DRIVER_LOW, l.avail().value());
            reg(d, QUEUE_DEVICE_LOW, l.used().value());
            reg(d, QUEUE_READY, 1);
        }
        reg(d, STATUS, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK);
        assertNull(d.lastStartError());
        assertTrue(d.started());
    }

    private static byte[] frame(long to, int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (to >>> (8 * (5 - i)));
        }
        for (int i = 6; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** The guest transmits {@code out} from descriptor {@code head} and kicks TX. */
    private static void transmit(Side s, DriverRing tx, int head, byte[] out) {
        long at = BUF_TX + 0x1000L * head;
        s.f.ram.zero(at, VirtioNet.HDR_V1_SIZE);
        s.f.ram.write(at + VirtioNet.HDR_V1_SIZE, out, 0, out.length);
        tx.writeDesc(head, Gpa.of(at), VirtioNet.HDR_V1_SIZE + out.length, 0, 0);
        tx.offer(head);
        s.dev.write(QUEUE_NOTIFY, VirtioNetNic.TX, 4);
        s.run();
    }

    private static void receive(Side s, byte[] in) {
        s.far.send(Unpooled.wrappedBuffer(in));
        s.run();
    }

    private static byte[] rxPayload(Side s, int head, int len) {
        byte[] got = new byte[len];
        s.f.ram.read(BUF_RX + 0x1000L * head + VirtioNet.HDR_V1_SIZE, got, 0, len);
        return got;
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void aNicMigratesWithItsRingIndicesAndControlState(QemuVersion q) {
        try (Side src = new Side(q, ResetPolicy.LEGACY, MigrationTechniques.NONE);
                Side dst = new Side(q, ResetPolicy.LEGACY, new MigrationTechniques(true, false, false))) {
            long mac = src.f.nic.mac();
            long features = GuestCvq.FEATURES & src.f.fe.deviceFeatures();
            probe(src, features);
            DriverRing rx = src.ring(GuestCvq.RX, RING);
            DriverRing tx = src.ring(GuestCvq.TX, RING);
            for (int k = 0; k < 8; k++) {
                rx.writeDesc(k, Gpa.of(BUF_RX + 0x1000L * k), 2048, SplitRing.DESC_F_WRITE, 0);
                rx.add(k);
            }
            rx.publish();
            src.dev.write(QUEUE_NOTIFY, VirtioNetNic.RX, 4);
            src.run();

            // Passthrough: the NIC reads the guest's rings itself.
            byte[] a = frame(0x020000000001L, 80, 1);
            transmit(src, tx, 0, a);
            receive(src, frame(mac, 90, 2));
            assertEquals(1, src.onWire.size());
            assertEquals(1, rx.usedIdx());
            // The guest moves its MAC through the shadow CVQ: QEMU's model follows.
            GuestCvq cvq = new GuestCvq(src.f, VirtioNetNic.CTRL);
            assertEquals(VirtioNet.CTRL_OK, cvq.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_ADDR_SET,
                    0x52, 0x54, 0, 0xaa, 0xbb, 0xcc));
            assertEquals(NEW_MAC, src.f.fe.modelMac());

            // Migration start: the data queues go through QEMU's SVQs.
            assertNull(src.f.fe.logGlobalEnable(true));
            assertEquals(1, src.f.fe.vringBase(VirtioNetNic.RX), "the passthrough stop read the device's index");
            assertTrue(src.f.fe.shadowsData());
            byte[] b = frame(0x020000000001L, 120, 3);
            transmit(src, tx, 1, b);
            assertEquals(2, src.onWire.size());
            assertArrayEquals(b, src.onWire.get(1));
            assertEquals(2, tx.usedIdx());
            byte[] in2 = frame(NEW_MAC, 100, 4);
            receive(src, in2);
            assertEquals(2, rx.usedIdx());
            assertEquals(1, rx.usedId(1), "the second buffer the guest offered");
            assertArrayEquals(in2, rxPayload(src, 1, in2.length));
            assertTrue(src.interrupts.contains(VirtioNetNic.RX) && src.interrupts.contains(VirtioNetNic.TX),
                    "the SVQ's flush notified the guest: " + src.interrupts);

            // Stop-and-copy: vhost stops without a virtio reset; the state goes out.
            assertNull(src.dev.vmStateChange(false));
            assertFalse(src.dev.started());
            VirtioNetState state = src.dev.saveState();
            assertTrue((state.status() & VirtioStatus.DRIVER_OK) != 0, "status stays DRIVER_OK");
            assertEquals(2, state.queues().get(VirtioNetNic.TX).lastAvailIdx());
            assertEquals(2, state.queues().get(VirtioNetNic.RX).lastAvailIdx(),
                    "the six RX buffers in flight were unpopped: the used index migrates");
            assertEquals(1, state.queues().get(VirtioNetNic.CTRL).lastAvailIdx());
            assertEquals(NEW_MAC, state.ctrl().mac());

            // RAM moves (the rings and buffers), then the destination loads and runs in passthrough.
            assertTrue(dst.f.fe.listenerRegistered(), "early map: RAM mapped before the switchover");
            byte[] copy = new byte[(int) COPIED];
            src.f.ram.read(0, copy, 0, copy.length);
            dst.f.ram.write(0, copy, 0, copy.length);
            assertNull(dst.dev.loadState(state));
            dst.f.mark();
            assertNull(dst.dev.vmStateChange(true));
            assertTrue(dst.dev.started());
            assertFalse(dst.f.fe.shadowsData(), "not migrating on the destination: passthrough");
            assertEquals(NEW_MAC, dst.f.fe.modelMac());
            assertEquals(NEW_MAC, dst.f.nic.mac(), "MAC_ADDR_SET replayed through the shadow CVQ");
            assertFalse(dst.f.events.stream().anyMatch(e -> e.startsWith("UPDATE asid 0")),
                    "RAM was mapped at init: " + dst.f.events);

            DriverRing dtx = dst.ring(GuestCvq.TX, RING);
            dtx.forceAvailIdx(2);
            byte[] c = frame(0x020000000001L, 60, 5);
            transmit(dst, dtx, 2, c);
            assertEquals(1, dst.onWire.size(), "only the frame added after the move");
            assertArrayEquals(c, dst.onWire.get(0));
            assertEquals(3, dtx.usedIdx());
            DriverRing drx = dst.ring(GuestCvq.RX, RING);
            byte[] in3 = frame(NEW_MAC, 70, 6);
            receive(dst, in3);
            assertEquals(3, drx.usedIdx());
            assertEquals(2, drx.usedId(2), "the first buffer the source had not used");
            assertArrayEquals(in3, rxPayload(dst, 2, in3.length));
            assertNotNull(state.ctrl());
        }
    }

    private static VirtioNetState withTx(VirtioNetState s, long avail, int base) {
        List<VirtioNetState.QueueState> qs = new ArrayList<>(s.queues());
        VirtioNetState.QueueState t = qs.get(VirtioNetNic.TX);
        qs.set(VirtioNetNic.TX, new VirtioNetState.QueueState(t.index(), t.size(), t.desc(), avail, t.used(), t.ready(),
                base));
        return new VirtioNetState(s.status(), s.driverFeatures(), s.interruptStatus(), s.queueSel(),
                s.configGeneration(), qs, s.ctrl());
    }

    /**
     * A stream whose index the guest's rings contradict is refused at load (virtio_load's checks), one
     * whose ring address the destination's kernel refuses fails the vm start with the ioctl's reason
     * and leaves the device needing a reset: an answer each time, never an exception.
     */
    @ParameterizedTest
    @EnumSource(value = QemuVersion.class, names = {"V9_2", "MASTER"})
    void aHostileIndexOrAddressHasADefinedOutcome(QemuVersion q) {
        try (Side src = new Side(q, ResetPolicy.LEGACY, MigrationTechniques.NONE);
                Side dst = new Side(q, ResetPolicy.LEGACY, MigrationTechniques.NONE)) {
            probe(src, GuestCvq.FEATURES & src.f.fe.deviceFeatures());
            assertNull(src.dev.vmStateChange(false));
            VirtioNetState state = src.dev.saveState();
            long txAvail = state.queues().get(VirtioNetNic.TX).avail();

            String ahead = dst.dev.loadState(withTx(state, txAvail, 0x8000));
            assertNotNull(ahead);
            assertTrue(ahead.contains("inconsistent with Host index"), ahead);
            assertFalse(dst.dev.started());
            assertEquals(0, dst.dev.status(), "nothing applied");

            assertNull(dst.dev.loadState(withTx(state, txAvail + 1, 0)), "virtio_load does not check alignment");
            String err = dst.dev.vmStateChange(true);
            assertNotNull(err);
            assertTrue(err.contains("SET_VRING_ADDR"), err);
            assertFalse(dst.dev.started());
            assertTrue((dst.dev.status() & VirtioStatus.NEEDS_RESET) != 0);
        }
    }
}
