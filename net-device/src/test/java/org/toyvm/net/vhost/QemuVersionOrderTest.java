package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;

/**
 * The frontend's control-plane trace at each QEMU release, against the simulated kernel: what a reboot
 * (the guest's status 0, its probe's status 0, DRIVER_OK) sends, in order, and what it does to the
 * mappings and pins. Each case is one fact of docs/qemu-memory-and-vhost-vdpa.md §5.
 */
class QemuVersionOrderTest {
    private static final int READY = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER;

    private static FrontendFixture legacyMlx5(QemuVersion q) {
        return new FrontendFixture(q, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.LEGACY);
    }

    @Test
    void qemu90LeavesTheDeviceAtAckDriverAfterTheResetAndUnmapsInResetStatus() {
        try (FrontendFixture f = legacyMlx5(QemuVersion.V9_0)) {
            // vhost_vdpa_init: no backend features yet (they come with the first start); ACK|DRIVER; SET_OWNER.
            assertEquals(0, f.count("SET_BACKEND_FEATURES"), f.trace().toString());
            assertEquals(0, f.countIotlb("UPDATE"), "nothing mapped before DRIVER_OK");
            f.mark();
            f.start();
            assertEquals(1, f.count("SET_BACKEND_FEATURES"), "vhost_dev_set_features negotiates at every start");
            List<String> t = f.trace();
            // The CVQ isolation probe at init (vhost_vdpa_probe_cvq_isolation) ended with SET_STATUS 0, and
            // 9.0's guest reset does not reach the device: the first start adds FEATURES_OK to status 0.
            assertTrue(t.indexOf("SET_BACKEND_FEATURES(" + Long.toHexString(f.fe.ackedBackendFeatures()) + ")")
                    > t.indexOf("SET_STATUS(FEATURES_OK)"), "after SET_FEATURES and FEATURES_OK: " + t);
            assertTrue(t.indexOf("SET_STATUS(FEATURES_OK)") >= 0, t.toString());
            assertTrue(f.countIotlb("UPDATE") > 0);
            f.mark();
            f.reset();
            assertEquals(List.of("SUSPEND", "GET_VRING_BASE(vq 0)", "GET_VRING_BASE(vq 1)", "SET_STATUS(0)",
                    "GET_STATUS", "SET_STATUS(ACKNOWLEDGE|DRIVER)", "GET_STATUS"), f.trace());
            assertEquals(READY, f.fe.deviceStatus(), "9.0: reset_status leaves ACK|DRIVER");
            assertFalse(f.fe.listenerRegistered());
            assertTrue(f.countIotlb("INVALIDATE") > 0);
            assertEquals(0, f.pinned(), "every pin returned at the reset");
            // The guest's probe writes status 0 again: 9.0's virtio_reset does not reach the stopped device.
            f.mark();
            f.reset();
            assertEquals(List.of(), f.trace());
            f.start();
            assertEquals(1, f.count("SET_BACKEND_FEATURES"), "negotiated again at this start");
        }
    }

    @ParameterizedTest
    @EnumSource(value = QemuVersion.class, names = {"V9_2", "V10_1", "MASTER"})
    void from92VirtioResetSendsASecondSetStatusZeroAndTheDeviceStaysAtZero(QemuVersion q) {
        try (FrontendFixture f = legacyMlx5(q)) {
            f.start();
            f.mark();
            f.reset();
            assertEquals(List.of("SUSPEND", "GET_VRING_BASE(vq 0)", "GET_VRING_BASE(vq 1)", "SET_STATUS(0)",
                    "GET_STATUS", "SET_STATUS(ACKNOWLEDGE|DRIVER)", "GET_STATUS", "SET_STATUS(0)"), f.trace());
            assertEquals("virtio_reset > vhost_reset_device > vhost_vdpa_reset_device",
                    f.ioctls.get(f.ioctls.size() - 1).by());
            assertEquals(0, f.fe.deviceStatus(), q + ": the device waits at status 0");
            assertEquals(1, f.fe.counters().virtioResets());
            // The next start sets FEATURES_OK on top of 0 (vhost_vdpa_add_status reads the status back first).
            f.mark();
            f.start();
            assertTrue(f.trace().contains("SET_STATUS(FEATURES_OK)"), f.trace().toString());
            assertTrue(f.countIotlb("UPDATE") > 0, "legacy maps again at DRIVER_OK");
        }
    }

    @Test
    void qemu101MapsAtSetOwnerBeforeTheGuestRunsAndTheFirstResetDiscardsIt() {
        try (FrontendFixture f = legacyMlx5(QemuVersion.V10_1)) {
            List<String> t = f.trace();
            // vhost_vdpa_init: backend features once, ACK|DRIVER; vhost_vdpa_set_owner: SET_OWNER, then the listener.
            assertEquals(List.of("open", "GET_BACKEND_FEATURES"), t.subList(0, 2));
            assertTrue(t.indexOf("SET_BACKEND_FEATURES(" + Long.toHexString(f.fe.ackedBackendFeatures()) + ")")
                    < t.indexOf("SET_OWNER"), t.toString());
            assertTrue(f.countIotlb("UPDATE") > 0, "all RAM mapped at SET_OWNER");
            assertEquals(FrontendFixture.RAM / 4096, f.pinned(), "VM start pays the pinning of all guest RAM");
            assertEquals(0, f.fe.deviceStatus() & VirtioStatus.DRIVER_OK, "before the guest's DRIVER_OK");
            assertTrue(f.fe.listenerRegistered());
            // The guest's probe (or the machine reset) writes status 0: vhost_reset_device now unregisters.
            f.mark();
            f.reset();
            assertEquals(List.of("SET_STATUS(0)"), f.trace());
            assertTrue(f.countIotlb("INVALIDATE") > 0);
            assertEquals(0, f.pinned(), "the early mapping is discarded before the guest's DRIVER_OK");
            long pinnedBefore = f.pinnedEver();
            f.start();
            assertEquals(2, f.fe.counters().listenerRegistered(), "registered again at DRIVER_OK");
            assertTrue(f.pinnedEver() > pinnedBefore);
            assertEquals(0, f.count("SET_BACKEND_FEATURES"), "none at the start: only the one at init");
            // Every reboot still unmaps (reset_device) and re-pins all guest RAM at DRIVER_OK.
            for (int reboot = 0; reboot < 2; reboot++) {
                long pinned0 = f.pinnedEver();
                f.mark();
                f.reset();
                f.reset();
                assertEquals(0, f.pinned());
                assertTrue(f.countIotlb("INVALIDATE") > 0);
                f.start();
                assertEquals(FrontendFixture.RAM / 4096, f.pinnedEver() - pinned0, "all RAM pinned again");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void persistKeepsTheMappingsAcrossEveryResetOnEveryRelease(QemuVersion q) {
        try (FrontendFixture f = new FrontendFixture(q, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.PERSIST)) {
            f.start();
            assertTrue(f.persistOffered());
            assertTrue(f.fe.persistAcked(), q + ": Si-Wei Liu's series acks IOTLB_PERSIST");
            long pinned = f.pinned();
            f.mark();
            for (int reboot = 0; reboot < 3; reboot++) {
                f.reset();
                f.reset();
                f.start();
            }
            assertEquals(0, f.countIotlb("INVALIDATE"), q.toString());
            assertEquals(0, f.countIotlb("UPDATE"), q.toString());
            assertTrue(f.fe.listenerRegistered());
            assertEquals(pinned, f.pinned(), "no pin returned, none taken");
        }
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void persistOnAKernelWithoutIotlbPersistBehavesAsLegacy(QemuVersion q) {
        try (FrontendFixture f = new FrontendFixture(q, KernelVersion.V6_6, ParentKind.MLX5, ResetPolicy.PERSIST)) {
            f.start();
            assertFalse(f.fe.persistAcked());
            f.mark();
            f.reset();
            assertTrue(f.countIotlb("INVALIDATE") > 0, q.toString());
            assertTrue(f.fe.unmapsAtReset());
        }
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void withoutSuspendTheStopResetsTheDeviceAndSkipsGetVringBase(QemuVersion q) {
        try (FrontendFixture f = new FrontendFixture(q, KernelVersion.V6_7, ParentKind.PLATFORM, ResetPolicy.LEGACY)) {
            f.start();
            assertEquals(0, f.fe.ackedBackendFeatures() & org.toyvm.vdpa.uapi.VhostUapi.bit(
                    org.toyvm.vdpa.uapi.VhostUapi.F_SUSPEND), "the platform parent offers no SUSPEND");
            f.mark();
            f.reset();
            assertEquals(0, f.count("SUSPEND"));
            assertEquals(0, f.count("GET_VRING_BASE"), q + ": no ring base read from a device not suspended");
            assertEquals(2, f.fe.counters().ringRestoreFailed(), "vhost VQ 0 and 1: ring restore failed");
            assertEquals(1, f.fe.counters().fallbackResets());
            assertEquals("SET_STATUS(0)", f.trace().get(0), "vhost_vdpa_suspend falls back to a reset");
            assertEquals("vhost_vdpa_suspend > vhost_vdpa_reset_device", f.ioctls.get(0).by());
            assertEquals(q.virtioResetResetsVhostDevice() ? 3 : 2, f.count("SET_STATUS") - 1,
                    "fallback, reset_status (and virtio_reset), besides ACK|DRIVER");
        }
    }

    @Test
    void naiveNeverUnmapsAtReset() {
        for (QemuVersion q : QemuVersion.values()) {
            try (FrontendFixture f = new FrontendFixture(q, KernelVersion.V6_6, ParentKind.MLX5, ResetPolicy.NAIVE)) {
                f.start();
                f.mark();
                f.reset();
                f.reset();
                assertEquals(0, f.countIotlb("INVALIDATE"), q.toString());
                assertFalse(f.fe.persistAcked());
                assertFalse(f.fe.unmapsAtReset());
            }
        }
    }

    @Test
    void closeUnregistersAndReturnsEveryPin() {
        FrontendFixture f = legacyMlx5(QemuVersion.MASTER);
        f.start();
        assertTrue(f.pinned() > 0);
        f.close();
        assertEquals(0, f.pinned());
        assertFalse(f.fe.listenerRegistered());
    }

    @Test
    void onlyMasterSharesTheSuspendedFlagAcrossQueuePairs() {
        for (QemuVersion q : QemuVersion.values()) {
            SuspendState s = new SuspendState(q);
            s.markSuspended(0);
            assertTrue(s.isSuspended(0));
            assertEquals(q == QemuVersion.MASTER, s.isSuspended(1),
                    q + ": before master the second queue pair is never marked (ring restore failed)");
            s.clear(0);
            assertFalse(s.isSuspended(0));
            assertFalse(s.isSuspended(1));
        }
    }

    @Test
    void aVersionIsParsedByItsLabelAndABadOneNamesEveryLabel() {
        for (QemuVersion q : QemuVersion.values()) {
            assertEquals(q, QemuVersion.parse(q.label()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QemuVersion.parse("9.1"));
        assertEquals("bad qemu '9.1': expected one of 9.0, 9.2, 10.1, master", e.getMessage());
        assertEquals(QemuVersion.MASTER, QemuVersion.newest());
    }

    @Test
    void eachPredicateTurnsOnAtItsRelease() {
        assertEquals(List.of(false, false, true, true), map(QemuVersion::negotiatesBackendFeaturesAtInit));
        assertEquals(List.of(false, false, true, true), map(QemuVersion::registersListenerAtSetOwner));
        assertEquals(List.of(false, false, true, true), map(QemuVersion::unregistersListenerInResetDevice));
        assertEquals(List.of(false, true, true, true), map(QemuVersion::virtioResetResetsVhostDevice));
        assertEquals(List.of(false, false, false, true), map(QemuVersion::sharesSuspendedState));
    }

    private static List<Boolean> map(java.util.function.Predicate<QemuVersion> p) {
        return java.util.Arrays.stream(QemuVersion.values()).map(p::test).toList();
    }
}
