package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;

/**
 * The control queue QEMU shadows in address space 1 (net/vhost-vdpa.c, 9.0 through master): the
 * isolation probe, the ioctl and IOTLB trace of a start and a reset, the state load, and the guest's
 * own commands through the shadow path, against the simulated kernel and NIC.
 */
class ShadowCvqTest {
    private static final int CVQ = VirtioNetNic.CTRL;
    /**
     * The IOVAs vhost_iova_tree_map_alloc hands out from one page up: out, status, then the 64-entry
     * shadow vring's driver area (1 KiB of descriptors + avail: one page) and device area (one page).
     */
    private static final List<String> ASID1_MAPS = List.of("UPDATE asid 1 iova 0x1000 size 0x1000",
            "UPDATE asid 1 iova 0x2000 size 0x1000", "UPDATE asid 1 iova 0x3000 size 0x1000",
            "UPDATE asid 1 iova 0x4000 size 0x1000");

    private static FrontendFixture fixture(QemuVersion q, ParentKind p) {
        return new FrontendFixture(q, KernelVersion.V6_12, p, ResetPolicy.LEGACY);
    }

    private static List<String> asid1(List<String> events) {
        return events.stream().filter(e -> e.contains(" asid 1 ")).toList();
    }

    private static int indexOf(List<String> events, String prefix) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void theProbeFindsTheCvqAloneInItsGroupAndLeavesTheDeviceAtStatusZero(QemuVersion q) {
        try (FrontendFixture f = fixture(q, ParentKind.MLX5)) {
            assertTrue(f.fe.cvqIsolated(), "mlx5: CVQ in group 1, two address spaces");
            List<String> t = f.trace();
            int probe = t.indexOf("GET_VRING_GROUP(vq 2)");
            assertTrue(probe > t.indexOf("SET_OWNER"), t.toString());
            assertEquals(List.of("GET_VRING_GROUP(vq 0)", "GET_VRING_GROUP(vq 1)", "SET_STATUS(0)"),
                    t.subList(probe + 1, probe + 4), "every data queue's group differs from the CVQ's");
            assertEquals("vhost_vdpa_probe_cvq_isolation", f.ioctls.get(probe + 3).by());
            assertEquals(0, f.fe.deviceStatus());
            assertFalse(f.fe.cvqShadowed(), "nothing shadowed before a start");
        }
        try (FrontendFixture f = fixture(q, ParentKind.PLATFORM)) {
            assertFalse(f.fe.cvqIsolated(), "the platform parent has one group: the CVQ shares it");
        }
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void aShadowedStartMapsAsid1BeforeDriverOkAndEnablesTheDataQueuesAfterTheLoad(QemuVersion q) {
        try (FrontendFixture f = fixture(q, ParentKind.MLX5)) {
            GuestCvq g = new GuestCvq(f, CVQ);
            f.mark();
            g.start(GuestCvq.FEATURES);
            List<String> e = f.events;
            assertTrue(f.fe.cvqShadowed());
            int group = indexOf(e, "SET_GROUP_ASID(group 1 asid 1)");
            int driverOk = indexOf(e, "SET_STATUS(DRIVER_OK");
            assertTrue(group >= 0 && driverOk > group, e.toString());
            assertEquals(ASID1_MAPS, asid1(e), "single UPDATEs: buffers (vhost_vdpa_net_cvq_start), then rings");
            assertTrue(e.indexOf(ASID1_MAPS.get(0)) > group, "the group moves to ASID 1 before its buffers are mapped");
            assertTrue(e.indexOf(ASID1_MAPS.get(3)) < driverOk);
            assertTrue(e.indexOf("SET_VRING_ADDR(vq 2)") > e.indexOf(ASID1_MAPS.get(3)), "the device gets the rings' IOVAs");
            int cvqOn = e.indexOf("VDPA_SET_VRING_ENABLE(vq 2)");
            assertTrue(cvqOn > driverOk, e.toString());
            assertTrue(e.indexOf("VDPA_SET_VRING_ENABLE(vq 0)") > cvqOn, "the data queues wait for the CVQ's load");
            assertTrue(e.indexOf("VDPA_SET_VRING_ENABLE(vq 1)") > cvqOn);
            // vhost_vdpa_net_load: MAC_ADDR_SET (CTRL_MAC_ADDR acked) and VQ_PAIRS_SET(1) (MQ acked), nothing else.
            assertEquals(2, f.fe.counters().cvqCommands());
            assertEquals(1, f.nic.rxFilter().activePairs());
            assertEquals(0x525400123456L, f.nic.mac());
            assertEquals(0, f.nic.counters().ctrlErr() + f.nic.counters().ctrlMalformed());
            assertEquals(2, f.nic.counters().ctrlOk());
            assertEquals(0, f.nic.dmaFaults(), "the NIC reached the shadow ring through ASID 1");
        }
    }

    /**
     * The counters tell the CVQ's ASID-1 messages from guest memory's: a reset and a start of a persist
     * frontend send only the CVQ's 4 INVALIDATE and 4 UPDATE (guest memory kept), a legacy one adds guest
     * memory's own in ASID 0 — the totals stay the sum of both.
     */
    @ParameterizedTest
    @EnumSource(ResetPolicy.class)
    void theCountersSplitTheShadowCvqsAsid1MessagesFromGuestMemory(ResetPolicy policy) {
        try (FrontendFixture f = new FrontendFixture(QemuVersion.MASTER, KernelVersion.V6_12, ParentKind.MLX5, policy)) {
            GuestCvq g = new GuestCvq(f, CVQ);
            g.start(GuestCvq.FEATURES);
            FrontendCounters before = f.fe.counters().snapshot();
            f.reset();
            g.start(GuestCvq.FEATURES);
            FrontendCounters d = f.fe.counters().minus(before);
            assertEquals(4, d.cvqInvalidate(), "two buffers and the two ring areas unmapped");
            assertEquals(4, d.cvqUpdate(), "and mapped again");
            assertEquals(d.update(), d.guestUpdate() + d.cvqUpdate());
            assertEquals(d.invalidate(), d.guestInvalidate() + d.cvqInvalidate());
            assertEquals(4 * 4096, d.bytesMapped() - d.guestBytesMapped(), "four pages in ASID 1");
            if (policy == ResetPolicy.PERSIST) {
                assertEquals(0, d.guestUpdate() + d.guestInvalidate(), "persist keeps guest memory: " + policy);
            } else if (policy == ResetPolicy.LEGACY) {
                assertTrue(d.guestUpdate() > 0 && d.guestInvalidate() > 0, "legacy unmaps and maps guest memory again");
                assertTrue(d.guestBytesMapped() > 0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void theResetUnmapsTheRingsAfterTheSuspendAndTheBuffersAfterTheResetAndEveryStartMapsAgain(QemuVersion q) {
        try (FrontendFixture f = fixture(q, ParentKind.MLX5)) {
            GuestCvq g = new GuestCvq(f, CVQ);
            g.start(GuestCvq.FEATURES);
            f.mark();
            f.reset();
            List<String> e = f.events;
            List<String> unmaps = asid1(e);
            assertEquals(List.of("INVALIDATE asid 1 iova 0x3000 size 0x1000", "INVALIDATE asid 1 iova 0x4000 size 0x1000",
                    "INVALIDATE asid 1 iova 0x1000 size 0x1000", "INVALIDATE asid 1 iova 0x2000 size 0x1000"), unmaps);
            int suspend = e.indexOf("SUSPEND");
            int reset = indexOf(e, "SET_STATUS(0)");
            assertTrue(suspend >= 0 && e.indexOf(unmaps.get(0)) > suspend, e.toString());
            assertTrue(e.indexOf(unmaps.get(1)) < reset, "vhost_vdpa_svqs_stop runs before reset_status: " + e);
            assertTrue(e.indexOf(unmaps.get(2)) > reset, "vhost_vdpa_net_cvq_stop runs after it: " + e);
            assertFalse(e.contains("GET_VRING_BASE(vq 2)"), "a shadowed vq's base is QEMU's own");
            assertEquals(1, f.count("SUSPEND"), "the first device suspends the NIC");
            assertEquals(1, f.ioctls.stream().filter(i -> i.by().equals("vhost_vdpa_reset_status > vhost_vdpa_reset_device"))
                    .count(), "reset_status acts on the last device only");
            assertFalse(f.fe.cvqShadowed());
            for (int reboot = 0; reboot < 2; reboot++) {
                f.mark();
                g.start(GuestCvq.FEATURES);
                assertEquals(1, f.count("SET_GROUP_ASID"), "SET_GROUP_ASID at every start");
                assertEquals(ASID1_MAPS, asid1(f.events), "the same IOVAs again");
                f.reset();
            }
        }
    }

    @Test
    void withoutIsolationTheCvqIsPassthroughInAsid0() {
        for (QemuVersion q : QemuVersion.values()) {
            try (FrontendFixture f = fixture(q, ParentKind.PLATFORM)) {
                GuestCvq g = new GuestCvq(f, CVQ);
                f.mark();
                g.start(GuestCvq.FEATURES);
                assertFalse(f.fe.cvqShadowed());
                assertEquals(0, f.count("SET_GROUP_ASID"));
                assertEquals(List.of(), asid1(f.events), q + ": no ASID-1 traffic");
                assertTrue(f.events.contains("SET_VRING_ADDR(vq 2)"), "the guest's CVQ rings at their GPAs");
                List<String> e = f.events;
                assertTrue(e.indexOf("VDPA_SET_VRING_ENABLE(vq 0)") > e.indexOf("VDPA_SET_VRING_ENABLE(vq 2)"),
                        "vhost_vdpa_net_cvq_load enables the CVQ, then the data queues: " + e);
                assertEquals(0, f.fe.counters().cvqCommands(), "no state load: QEMU does not see the commands");
                f.mark();
                f.reset();
                assertEquals(List.of(), asid1(f.events));
            }
        }
    }

    @Test
    void aControlQueueTooSmallForACommandIsNotStarted() {
        for (int size : new int[] {0, 1, 3, 1 << 16}) {
            try (FrontendFixture f = fixture(QemuVersion.MASTER, ParentKind.MLX5)) {
                GuestCvq g = new GuestCvq(f, CVQ);
                List<QueueConfig> qs = new ArrayList<>(g.queues());
                qs.set(2, new QueueConfig(CVQ, size, qs.get(2).desc(),
                        qs.get(2).avail(), qs.get(2).used(), true));
                f.mark();
                assertEquals(null, f.fe.start(GuestCvq.FEATURES, qs), "size " + size);
                assertFalse(f.fe.cvqShadowed());
                assertEquals(List.of(), asid1(f.events));
                assertTrue(f.events.contains("VDPA_SET_VRING_ENABLE(vq 0)"), "the data queues still start");
                f.fe.notify(CVQ);
                f.reset();
            }
        }
    }

    @Test
    void theLoadSendsVqPairsSetOnlyWithMqAndMacAddrSetOnlyWithCtrlMacAddr() {
        try (FrontendFixture f = fixture(QemuVersion.MASTER, ParentKind.MLX5)) {
            GuestCvq g = new GuestCvq(f, CVQ);
            long noMq = GuestCvq.FEATURES & ~VirtioFeatures.bit(VirtioFeatures.NET_F_MQ)
                    & ~VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_MAC_ADDR);
            g.start(noMq);
            assertEquals(0, f.fe.counters().cvqCommands(), "a reset device's state: nothing to send");
            assertEquals(2, f.count("VDPA_SET_VRING_ENABLE") - 1, "still, the data queues after the CVQ");
        }
    }

    @Test
    void theGuestsMacGoesThroughTheShadowAndIsRestoredAfterAReboot() {
        try (FrontendFixture f = fixture(QemuVersion.MASTER, ParentKind.MLX5)) {
            GuestCvq g = new GuestCvq(f, CVQ);
            g.start(GuestCvq.FEATURES);
            long before = f.fe.counters().cvqCommands();
            assertEquals(VirtioNet.CTRL_OK, g.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_ADDR_SET, 2, 0, 0, 0, 0, 7));
            assertEquals(1, g.usedIdx());
            assertEquals(1, g.lastUsedLen());
            assertEquals(0x020000000007L, f.nic.mac(), "forwarded to the device");
            assertEquals(0x020000000007L, f.fe.modelMac(), "and taken by QEMU's model on VIRTIO_NET_OK");
            assertEquals(before + 1, f.fe.counters().cvqCommands());
            // The device refuses 2 pairs (it has one): the model keeps curr_queue_pairs.
            assertEquals(VirtioNet.CTRL_ERR, g.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET, 2, 0));
            assertEquals(1, f.fe.currQueuePairs());
        }
    }

    @Test
    void aCvqCommandIsChargedAsOneShadowRoundTrip() {
        CostMeter meter = new CostMeter(CostProfile.defaults());
        try (FrontendFixture f = new FrontendFixture(QemuVersion.MASTER, KernelVersion.V6_12, ParentKind.MLX5,
                ResetPolicy.LEGACY, null, meter)) {
            GuestCvq g = new GuestCvq(f, CVQ);
            g.start(GuestCvq.FEATURES);
            long t0 = meter.total();
            g.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, 0);
            assertEquals(CostProfile.defaults().cvqCommandNs(), meter.total() - t0,
                    "one command, no ioctl: one cvq_command");
        }
    }

    @Test
    void mlx5BuildsNoMkeyForTheCvqAddressSpaceBefore67() {
        try (FrontendFixture f = new FrontendFixture(QemuVersion.MASTER, KernelVersion.V6_6, ParentKind.MLX5,
                ResetPolicy.LEGACY)) {
            GuestCvq g = new GuestCvq(f, CVQ);
            f.reset(); // the guest's probe: the early mapping goes
            long mrs = f.kernel.get(KernelEvent.MR_BUILD);
            g.start(GuestCvq.FEATURES);
            assertEquals(1, f.kernel.get(KernelEvent.MR_BUILD) - mrs, "one MR: guest RAM in ASID 0 at BATCH_END");
            assertEquals(2, f.nic.counters().ctrlOk(), "the software CVQ read the shadow ring through its table copy");
        }
        try (FrontendFixture f = new FrontendFixture(QemuVersion.MASTER, KernelVersion.V6_7, ParentKind.MLX5,
                ResetPolicy.LEGACY)) {
            GuestCvq g = new GuestCvq(f, CVQ);
            f.reset();
            long mrs = f.kernel.get(KernelEvent.MR_BUILD);
            g.start(GuestCvq.FEATURES);
            assertEquals(5, f.kernel.get(KernelEvent.MR_BUILD) - mrs, "6.7+: an MR per set_map of ASID 1 as well (4)");
        }
    }
}
