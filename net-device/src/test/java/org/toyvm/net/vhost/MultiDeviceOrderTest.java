package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.kernel.FakeNetHardware;

/**
 * Four queue pairs (four vhost devices) and the control queue device, at each QEMU release: the
 * first/last-device rules of hw/virtio/vhost-vdpa.c and the start/stop order of hw/net/vhost_net.c.
 */
class MultiDeviceOrderTest {
    private static final int PAIRS = 4;
    private static final int CVQ = 2 * PAIRS;
    private static final long MQ = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1) | VirtioFeatures.bit(VirtioFeatures.NET_F_MQ);
    private static final long MQ_CVQ = MQ | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VQ);

    private static FrontendFixture fixture(QemuVersion q, ParentKind p) {
        return new FrontendFixture(q, KernelVersion.V6_12, p, ResetPolicy.LEGACY, new FakeNetHardware(PAIRS));
    }

    private static List<QueueConfig> queues(boolean cvq) {
        List<QueueConfig> qs = new ArrayList<>();
        for (int i = 0; i < 2 * PAIRS; i++) {
            qs.add(GuestCvq.queue(i, 0x100000L + i * 0x10000L, 256));
        }
        if (cvq) {
            qs.add(GuestCvq.queue(CVQ, 0x200000L, 64));
        }
        return qs;
    }

    private static void start(FrontendFixture f, long features, boolean cvq) {
        String err = f.fe.start(features, queues(cvq));
        assertEquals(null, err);
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void withoutCvqEachDataDeviceEnablesItsQueuesAfterItsStartAndTheLastSetsDriverOk(QemuVersion q) {
        try (FrontendFixture f = fixture(q, ParentKind.MLX5)) {
            f.mark();
            start(f, MQ, false);
            List<String> t = f.trace();
            assertEquals(1, f.count("SET_FEATURES"), "vhost_vdpa_set_features: the first device only");
            assertEquals(q.negotiatesBackendFeaturesAtInit() ? 0 : PAIRS, f.count("GET_BACKEND_FEATURES"),
                    "before 10.1 each device's vhost_dev_set_features reads them");
            assertEquals(q.negotiatesBackendFeaturesAtInit() ? 0 : 1, f.count("SET_BACKEND_FEATURES"), "first device only");
            int driverOk = indexOf(t, "SET_STATUS(DRIVER_OK");
            assertEquals(driverOk, lastIndexOf(t, "SET_STATUS("), "one DRIVER_OK, from the last device");
            assertTrue(t.indexOf("SET_VRING_CALL(vq 7)") < driverOk, "after the last device's queues: " + t);
            // vhost_vdpa_net_data_load: pairs 0..2 are enabled right after their own start, before DRIVER_OK.
            assertTrue(t.indexOf("VDPA_SET_VRING_ENABLE(vq 0)") < t.indexOf("SET_VRING_NUM(vq 2)"), t.toString());
            assertTrue(t.indexOf("VDPA_SET_VRING_ENABLE(vq 5)") < driverOk);
            assertTrue(t.indexOf("VDPA_SET_VRING_ENABLE(vq 6)") > driverOk);
            assertEquals(q.registersListenerAtSetOwner() ? 0 : 1, f.countIotlb("BATCH_BEGIN"),
                    "one listener for the NIC: one batch at the last device's start (10.1+: mapped at init)");
            f.mark();
            f.reset();
            assertEquals(1, f.count("SUSPEND"), "vhost_vdpa_suspend: the first device only");
            assertEquals(q.sharesSuspendedState() ? 2 * PAIRS : 2, f.count("GET_VRING_BASE"),
                    q + ": before master only device 0 is marked suspended");
            assertEquals(q.sharesSuspendedState() ? 0 : 2 * PAIRS - 2, f.fe.counters().ringRestoreFailed());
            assertEquals(1, f.ioctls.stream().filter(i -> i.by().startsWith("vhost_vdpa_reset_status")).filter(
                    i -> i.name().equals("SET_STATUS") && i.arg().equals("0")).count(), "reset_status: the last device");
        }
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void withAPassthroughCvqTheCvqDeviceIsLastAndTheDataQueuesWaitForItsLoad(QemuVersion q) {
        try (FrontendFixture f = fixture(q, ParentKind.PLATFORM)) {
            f.mark();
            start(f, MQ_CVQ, true);
            List<String> t = f.trace();
            int driverOk = indexOf(t, "SET_STATUS(DRIVER_OK");
            assertTrue(t.indexOf("SET_VRING_CALL(vq 8)") < driverOk, "the CVQ device is the last: " + t);
            assertTrue(t.indexOf("SET_VRING_CALL(vq 7)") < t.indexOf("SET_VRING_NUM(vq 8)"), "data pairs first");
            List<String> enables = t.stream().filter(s -> s.startsWith("VDPA_SET_VRING_ENABLE")).toList();
            assertEquals("VDPA_SET_VRING_ENABLE(vq 8)", enables.get(0), "vhost_vdpa_net_cvq_load: the CVQ first");
            assertEquals(2 * PAIRS + 1, enables.size());
            assertTrue(t.indexOf("VDPA_SET_VRING_ENABLE(vq 0)") > driverOk, "no data queue before DRIVER_OK");
            f.mark();
            f.reset();
            // The platform parent has no SUSPEND: vhost_vdpa_suspend resets instead; no ring base is read.
            assertEquals(0, f.count("GET_VRING_BASE"));
            assertEquals(2 * PAIRS + 1, f.fe.counters().ringRestoreFailed(), "every vq, the CVQ's included");
            assertEquals("vhost_vdpa_reset_status > vhost_vdpa_reset_device", f.ioctls.stream()
                    .filter(i -> i.by().startsWith("vhost_vdpa_reset_status")).findFirst().orElseThrow().by());
        }
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void aStateLoadTheDeviceNeverAcksFailsTheStartAndTheResetStillUnmapsTheShadow(QemuVersion q) {
        try (FrontendFixture f = fixture(q, ParentKind.MLX5)) {
            // Isolated, but this NIC processes no queue: vhost_vdpa_net_svq_flush finds no ack (-EIO) and
            // vhost_net_start fails; the devices it started are stopped by the guest's reset.
            String err = f.fe.start(MQ_CVQ, queues(true));
            assertTrue(err != null && err.contains("EIO"), "the state load polls acks the fake NIC never writes: " + err);
            f.mark();
            f.reset();
            List<String> e = f.events;
            assertTrue(e.stream().anyMatch(s -> s.startsWith("INVALIDATE asid 1")), "the shadow is unmapped: " + e);
            assertEquals(1, f.count("SUSPEND"));
        }
    }

    private static int indexOf(List<String> t, String prefix) {
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<String> t, String prefix) {
        for (int i = t.size() - 1; i >= 0; i--) {
            if (t.get(i).startsWith(prefix) && t.get(i).contains("DRIVER_OK")) {
                return i;
            }
        }
        return -1;
    }
}
