package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.kernel.FakeNetHardware;

/**
 * The switch of a two-pair NIC: every pair's data queues are shadowed, and each queue's index crosses
 * the stop — GET_VRING_BASE where the device is marked suspended, else (pair 1 before master: "ring
 * restore failed") the guest's used index (virtio_queue_restore_last_avail_idx), from which the SVQ
 * pops again what the device had taken but not returned.
 */
class MultiPairSwitchTest {
    private static final int PAIRS = 2;
    private static final long FEATURES = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MQ);
    private static final int GUEST_AVAIL = 6;
    private static final int GUEST_USED = 4;

    @ParameterizedTest
    @EnumSource(value = QemuVersion.class, names = {"V9_2", "MASTER"})
    void eachQueueContinuesFromTheIndexItsStopCouldTrust(QemuVersion q) {
        FakeNetHardware hw = new FakeNetHardware(PAIRS);
        try (FrontendFixture f = new FrontendFixture(q, KernelVersion.V6_12, ParentKind.MLX5, ResetPolicy.LEGACY,
                MigrationTechniques.NONE, hw, new CostMeter(CostProfile.zero()))) {
            List<QueueConfig> qs = new ArrayList<>();
            for (int i = 0; i < 2 * PAIRS; i++) {
                long base = 0x100000L + i * 0x10000L;
                qs.add(GuestCvq.queue(i, base, 256));
                // The guest offered six buffers; the device used four and holds two (its index: six).
                DriverRing r = DriverRing.contiguous(GuestRam.at(f.ram, Gpa.of(0)), 256, Gpa.of(base));
                for (int k = 0; k < GUEST_AVAIL; k++) {
                    r.writeDesc(k, Gpa.of(0x400000L + i * 0x10000L + k * 0x1000L), 64,
                            i % 2 == 0 ? SplitRing.DESC_F_WRITE : 0, 0);
                    r.add(k);
                }
                r.publish();
                f.ram.putU16(qs.get(i).used().value() + SplitRing.USED_IDX, (short) GUEST_USED);
            }
            assertNull(f.fe.start(FEATURES, qs));
            for (int i = 0; i < 2 * PAIRS; i++) {
                hw.setVqBase(i, GUEST_AVAIL);
            }
            f.mark();
            assertNull(f.fe.logGlobalEnable(true));
            assertTrue(f.fe.shadowsData());
            assertEquals(2 * PAIRS, f.trace().stream().filter(t -> t.startsWith("SET_VRING_ADDR")).count());
            int pair1 = q.sharesSuspendedState() ? GUEST_AVAIL : GUEST_USED;
            assertEquals(List.of(GUEST_AVAIL, GUEST_AVAIL, pair1, pair1),
                    List.of(f.fe.vringBase(0), f.fe.vringBase(1), f.fe.vringBase(2), f.fe.vringBase(3)));
            // Nothing came back from the device: at the stop-and-copy the SVQs unpop what they took.
            f.fe.vmStop();
            assertEquals(List.of(GUEST_AVAIL, GUEST_AVAIL, pair1, pair1),
                    List.of(f.fe.vringBase(0), f.fe.vringBase(1), f.fe.vringBase(2), f.fe.vringBase(3)));
        }
    }
}
