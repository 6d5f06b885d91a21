package org.toyvm.net.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.toyvm.core.virtio.VirtioStatus.*;
import static org.toyvm.net.device.VirtioMmioLayout.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;
import org.toyvm.core.virtio.VirtioFeatures;

/**
 * The migration half of the guest-facing device: virtio_vmstate_change (stop without reset, start from
 * the kept indices), virtio_save → {@link VirtioNetState} → virtio_load on a fresh device, and every
 * incoherent state a defined refusal that leaves the destination untouched.
 */
class VirtioNetStateTest {
    static final long FEATURES = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1) | VirtioFeatures.bit(VirtioFeatures.NET_F_MAC);

    /** A backend that keeps indices and a control state, as the vhost-vdpa frontend does. */
    static final class MigratingBackend implements VirtioNetBackend {
        final List<String> calls = new ArrayList<>();
        final int[] deviceIdx = new int[3];
        VirtioNetState.Ctrl ctrl = new VirtioNetState.Ctrl(0x525400123456L, 1, true, false, false, false, false, false,
                List.of(), 0, false, false, List.of(), 0);
        List<QueueConfig> started;
        String failVmStart;

        @Override
        public long deviceFeatures() {
            return FEATURES;
        }

        @Override
        public int maxQueueSize() {
            return 256;
        }

        @Override
        public int numQueues() {
            return 3;
        }

        @Override
        public byte[] readConfig() {
            return new byte[12];
        }

        @Override
        public String start(long driverFeatures, List<QueueConfig> queues) {
            calls.add("start");
            started = queues;
            return null;
        }

        @Override
        public String vmStart(long driverFeatures, List<QueueConfig> queues) {
            calls.add("vmStart");
            started = queues;
            return failVmStart;
        }

        @Override
        public void vmStop() {
            calls.add("vmStop");
        }

        @Override
        public int vringBase(int queue) {
            return deviceIdx[queue];
        }

        @Override
        public void notify(int queue) {
        }

        @Override
        public void reset() {
            calls.add("reset");
        }

        @Override
        public VirtioNetState.Ctrl ctrlState() {
            return ctrl;
        }

        @Override
        public String loadCtrlState(VirtioNetState.Ctrl c, long driverFeatures) {
            ctrl = c;
            return null;
        }
    }

    final MigratingBackend backend = new MigratingBackend();
    final VirtioNetDevice dev = new VirtioNetDevice(backend);

    private static void driverOk(VirtioNetDevice d) {
        d.write(STATUS, ACKNOWLEDGE | DRIVER, 4);
        d.write(DRIVER_FEATURES_SEL, 1, 4);
        d.write(DRIVER_FEATURES, FEATURES >>> 32, 4);
        d.write(DRIVER_FEATURES_SEL, 0, 4);
        d.write(DRIVER_FEATURES, FEATURES & 0xffff_ffffL, 4);
        d.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK, 4);
        for (int q = 0; q < 2; q++) {
            d.write(QUEUE_SEL, q, 4);
            d.write(QUEUE_NUM, 256, 4);
            d.write(QUEUE_DESC_LOW, 0x10000 * (q + 1), 4);
            d.write(QUEUE_DRIVER_LOW, 0x10000 * (q + 1) + 0x1000, 4);
            d.write(QUEUE_DEVICE_LOW, 0x10000 * (q + 1) + 0x2000, 4);
            d.write(QUEUE_READY, 1, 4);
        }
        d.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK, 4);
    }

    private VirtioNetState stoppedState() {
        driverOk(dev);
        backend.deviceIdx[0] = 7;
        backend.deviceIdx[1] = 0xfffe;
        assertNull(dev.vmStateChange(false));
        return dev.saveState();
    }

    @Test
    void aVmStopStopsVhostWithoutResetAndKeepsTheIndices() {
        VirtioNetState s = stoppedState();
        assertEquals(List.of("start", "vmStop"), backend.calls, "no reset");
        assertFalse(dev.started());
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK, dev.status());
        assertEquals(7, s.queues().get(0).lastAvailIdx());
        assertEquals(0xfffe, s.queues().get(1).lastAvailIdx());
        assertEquals(0x20000, s.queues().get(1).desc());
        assertEquals(0x21000, s.queues().get(1).avail());
        assertEquals(FEATURES, s.driverFeatures());
        // The same VM runs again (a failed migration): vhost starts from the kept indices.
        assertNull(dev.vmStateChange(true));
        assertEquals(List.of("start", "vmStop", "vmStart"), backend.calls);
        assertEquals(7, backend.started.get(0).base());
        assertEquals(0xfffe, backend.started.get(1).base());
    }

    @Test
    void theStateRoundTripsToAFreshDeviceWhichStartsOnlyWhenTheVmRuns() {
        VirtioNetState s = stoppedState();
        backend.ctrl = new VirtioNetState.Ctrl(0x525400aabbccL, 1, false, true, false, false, false, true,
                List.of(0x525400000001L, 0x01005e000001L), 1, false, false, List.of(5, 4095), 0);
        s = dev.saveState();
        MigratingBackend b2 = new MigratingBackend();
        VirtioNetDevice d2 = new VirtioNetDevice(b2);
        assertNull(d2.loadState(s));
        assertEquals(s, d2.saveState(), "virtio_load of virtio_save's output gives the same state");
        assertEquals(backend.ctrl, b2.ctrl);
        assertEquals(List.of(), b2.calls, "nothing started before vm_start");
        d2.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK, 4); // a paused guest: ignored by vhost
        assertEquals(List.of(), b2.calls);
        assertNull(d2.vmStateChange(true));
        assertEquals(List.of("vmStart"), b2.calls);
        assertEquals(7, b2.started.get(0).base());
        assertTrue(d2.started());
    }

    @Test
    void aStartTheDeviceRefusesAfterTheLoadNeedsAReset() {
        VirtioNetState s = stoppedState();
        MigratingBackend b2 = new MigratingBackend();
        b2.failVmStart = "vhost-vdpa SET_VRING_ADDR failed: EINVAL";
        VirtioNetDevice d2 = new VirtioNetDevice(b2);
        assertNull(d2.loadState(s));
        assertEquals(b2.failVmStart, d2.vmStateChange(true));
        assertFalse(d2.started());
        assertTrue((d2.status() & NEEDS_RESET) != 0);
    }

    private void refused(VirtioNetState bad, String why) {
        MigratingBackend b2 = new MigratingBackend();
        VirtioNetDevice d2 = new VirtioNetDevice(b2);
        VirtioNetState before = d2.saveState();
        String err = d2.loadState(bad);
        assertNotNull(err, why);
        assertEquals(before, d2.saveState(), why + ": nothing applied");
        assertNull(d2.vmStateChange(true), why + ": nothing to start");
        assertEquals(List.of(), b2.calls, why);
    }

    private static VirtioNetState withQueue(VirtioNetState s, int i, UnaryOperator<VirtioNetState.QueueState> f) {
        List<VirtioNetState.QueueState> qs = new ArrayList<>(s.queues());
        qs.set(i, f.apply(qs.get(i)));
        return new VirtioNetState(s.status(), s.driverFeatures(), s.interruptStatus(), s.queueSel(),
                s.configGeneration(), qs, s.ctrl());
    }

    private static VirtioNetState withCtrl(VirtioNetState s, VirtioNetState.Ctrl c) {
        return new VirtioNetState(s.status(), s.driverFeatures(), s.interruptStatus(), s.queueSel(),
                s.configGeneration(), s.queues(), c);
    }

    @Test
    void incoherentStateIsRefusedWithAReasonAndLeavesTheDestinationUntouched() {
        VirtioNetState s = stoppedState();
        VirtioNetState.Ctrl c = s.ctrl();
        refused(null, "no state");
        refused(new VirtioNetState(s.status(), s.driverFeatures() | VirtioFeatures.bit(VirtioFeatures.NET_F_MQ),
                0, 0, 0, s.queues(), c), "a feature the destination does not offer");
        refused(new VirtioNetState(s.status(), s.driverFeatures(), 0, 0, 0, s.queues().subList(0, 2), c),
                "queue count");
        refused(new VirtioNetState(s.status(), s.driverFeatures(), 0, 3, 0, s.queues(), c), "queue_sel");
        refused(withQueue(s, 0, q -> new VirtioNetState.QueueState(0, q.size(), q.desc(), q.avail(), q.used(),
                q.ready(), 0x10000)), "index past 16 bits");
        refused(withQueue(s, 0, q -> new VirtioNetState.QueueState(0, q.size(), q.desc(), q.avail(), q.used(),
                q.ready(), -1)), "negative index");
        refused(withQueue(s, 0, q -> new VirtioNetState.QueueState(0, q.size(), 0, q.avail(), q.used(), q.ready(),
                5)), "VQ address 0x0 inconsistent with Host index");
        refused(withQueue(s, 1, q -> new VirtioNetState.QueueState(1, 100, q.desc(), q.avail(), q.used(), q.ready(),
                0)), "not a power of two");
        refused(withQueue(s, 1, q -> new VirtioNetState.QueueState(1, 512, q.desc(), q.avail(), q.used(), q.ready(),
                0)), "above the destination's maximum");
        refused(withQueue(s, 2, q -> new VirtioNetState.QueueState(2, 0, q.desc(), q.avail(), q.used(), true, 0)),
                "enabled without a size");
        refused(withQueue(s, 1, q -> new VirtioNetState.QueueState(0, q.size(), q.desc(), q.avail(), q.used(),
                q.ready(), 0)), "a queue under another index");
        List<Long> big = new ArrayList<>();
        for (int i = 0; i <= VirtioNetState.MAC_TABLE_ENTRIES; i++) {
            big.add(0x020000000000L + i);
        }
        refused(withCtrl(s, new VirtioNetState.Ctrl(c.mac(), 0, false, false, false, false, false, false, List.of(), 0,
                false, false, List.of(), 0)), "curr_queue_pairs 0");
        refused(withCtrl(s, new VirtioNetState.Ctrl(c.mac(), 2, false, false, false, false, false, false, List.of(), 0,
                false, false, List.of(), 0)), "more pairs than the device has");
        refused(withCtrl(s, new VirtioNetState.Ctrl(c.mac(), 1, false, false, false, false, false, false, big, 0,
                false, false, List.of(), 0)), "MAC table does not fit");
        refused(withCtrl(s, new VirtioNetState.Ctrl(c.mac(), 1, false, false, false, false, false, false,
                List.of(1L), 2, false, false, List.of(), 0)), "first multicast past the table");
        refused(withCtrl(s, new VirtioNetState.Ctrl(1L << 48, 1, false, false, false, false, false, false, List.of(), 0,
                false, false, List.of(), 0)), "MAC wider than 48 bits");
        refused(withCtrl(s, new VirtioNetState.Ctrl(c.mac(), 1, false, false, false, false, false, false, List.of(), 0,
                false, false, List.of(4096), 0)), "VLAN id 4096");
    }

    @Test
    void aStartedDeviceRefusesALoad() {
        VirtioNetState s = stoppedState();
        assertNull(dev.vmStateChange(true));
        assertNotNull(dev.loadState(s));
        assertTrue(dev.started());
    }

    /** Any state: the load answers a reason or applies it; it never throws, and a refusal changes nothing. */
    @Test
    @Tag(Props.TAG)
    void anyStateLoadsOrIsRefusedWithoutAnException(TestInfo info) {
        Gen<Integer> idx = SourceDSL.integers().between(-2, 0x10001);
        Gen<Integer> size = SourceDSL.integers().between(0, 600);
        Gen<Long> addr = SourceDSL.longs().all();
        Gen<VirtioNetState.QueueState> q = size.zip(addr, idx, (n, a, i) -> new VirtioNetState.QueueState(0, n, a,
                a + 0x1000, a + 0x2000, (i & 1) == 0, i));
        Props.qt(info, 500).forAll(q, q, SourceDSL.longs().all(), SourceDSL.integers().between(-1, 4))
                .checkAssert((a, b, f, pairs) -> {
                    List<VirtioNetState.QueueState> qs = List.of(a,
                            new VirtioNetState.QueueState(1, b.size(), b.desc(), b.avail(), b.used(), b.ready(),
                                    b.lastAvailIdx()),
                            new VirtioNetState.QueueState(2, 64, 0x30000, 0x30400, 0x31000, true, 0));
                    VirtioNetState st = new VirtioNetState(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK,
                            (f & 1) == 0 ? FEATURES : f, 0, 0, 0, qs,
                            new VirtioNetState.Ctrl(0x525400123456L, pairs, true, false, false, false, false, false,
                                    List.of(), 0, false, false, List.of(), 0));
                    MigratingBackend b2 = new MigratingBackend();
                    VirtioNetDevice d2 = new VirtioNetDevice(b2);
                    VirtioNetState before = d2.saveState();
                    String err = d2.loadState(st);
                    if (err != null) {
                        assertEquals(before, d2.saveState());
                    } else {
                        assertEquals(st, d2.saveState());
                        assertNull(d2.vmStateChange(true));
                        assertTrue(d2.started());
                    }
                });
    }
}
