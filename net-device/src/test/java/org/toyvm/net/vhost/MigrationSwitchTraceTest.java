package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.addr.Gpa;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;

/**
 * The IOTLB trace of vhost_vdpa_net_log_global_enable (the switch of the data queues to shadow
 * virtqueues at migration start, and back), per technique: which messages touch guest RAM in which
 * ASID, and which ride inside a batch (docs/migration.md §2.1, §2.5).
 */
class MigrationSwitchTraceTest {
    /** The fixture's 64 MiB of guest RAM, mapped as one section. */
    private static final String RAM_SIZE = "size 0x4000000";
    private static final String RAM_AT_GPA = "UPDATE asid 0 iova 0x0 " + RAM_SIZE;
    private static final String RAM_UNMAP_AT_GPA = "INVALIDATE asid 0 iova 0x0 " + RAM_SIZE;

    private static final MigrationTechniques BATCH = new MigrationTechniques(false, false, true);

    private static FrontendFixture started(QemuVersion q, ResetPolicy p, MigrationTechniques t) {
        FrontendFixture f = new FrontendFixture(q, KernelVersion.V6_12, ParentKind.MLX5, p, t);
        new GuestCvq(f, VirtioNetNic.CTRL).start(GuestCvq.FEATURES);
        f.mark();
        return f;
    }

    /** Each UPDATE/INVALIDATE of {@code events}, prefixed "batched " when inside BATCH_BEGIN..BATCH_END. */
    static List<String> maps(List<String> events) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String e : events) {
            if (e.startsWith("BATCH_BEGIN")) {
                in = true;
            } else if (e.startsWith("BATCH_END")) {
                in = false;
            } else if (e.startsWith("UPDATE") || e.startsWith("INVALIDATE")) {
                out.add((in ? "batched " : "") + e);
            }
        }
        return out;
    }

    private static List<String> ramMaps(List<String> events) {
        return maps(events).stream().filter(e -> e.endsWith(RAM_SIZE)).toList();
    }

    @ParameterizedTest
    @EnumSource(QemuVersion.class)
    void withoutTechniquesTheSwitchUnmapsAllRamAtItsGpaAndMapsItAgainAtATreeIova(QemuVersion q) {
        try (FrontendFixture f = started(q, ResetPolicy.LEGACY, MigrationTechniques.NONE)) {
            assertFalse(f.fe.shadowsData());
            assertNull(f.fe.logGlobalEnable(true));
            assertTrue(f.fe.shadowsData());
            List<String> ram = ramMaps(f.events);
            assertEquals(2, ram.size(), ram.toString());
            assertEquals("batched " + RAM_UNMAP_AT_GPA, ram.get(0), "the stop's listener unregister");
            assertTrue(ram.get(1).startsWith("batched UPDATE asid 0 iova 0x"), ram.get(1));
            assertNotEquals("batched " + RAM_AT_GPA, ram.get(1), "no longer IOVA = GPA: a tree IOVA");
            // The shadow rings (2 data vqs + CVQ: two areas each) and the CVQ buffers: ASID 0, one
            // unbatched UPDATE each; no SET_GROUP_ASID (shadow_data keeps the CVQ in ASID 0).
            List<String> small = maps(f.events).stream().filter(e -> e.startsWith("UPDATE")).toList();
            assertEquals(8, small.size(), small.toString());
            assertTrue(small.stream().allMatch(e -> e.startsWith("UPDATE asid 0 ")), small.toString());
            assertEquals(0, f.count("SET_GROUP_ASID"));
            assertEquals(2, f.count("GET_VRING_BASE"), "the passthrough stop reads both data bases");
            // The guest's buffers reach the device at the listener's IOVA, GPA-keyed.
            long ramIova = Long.decode(ram.get(1).split(" ")[5]);
            assertEquals(ramIova + 0x10000, f.fe.iova(Gpa.of(0x10000)).value());
        }
    }

    @Test
    void theReturnToPassthroughMapsRamAtItsGpaAgainAndNeedsNoBaseIoctl() {
        try (FrontendFixture f = started(QemuVersion.V9_2, ResetPolicy.LEGACY, MigrationTechniques.NONE)) {
            assertNull(f.fe.logGlobalEnable(true));
            f.mark();
            assertNull(f.fe.logGlobalEnable(false));
            assertFalse(f.fe.shadowsData());
            assertEquals(0, f.count("GET_VRING_BASE"), "shadowed vqs: vhost_vdpa_get_vring_base answers the SVQ's index");
            List<String> ram = ramMaps(f.events);
            assertEquals(2, ram.size(), ram.toString());
            assertTrue(ram.get(0).startsWith("batched INVALIDATE asid 0 iova 0x"), ram.get(0));
            assertEquals("batched " + RAM_AT_GPA, ram.get(1));
            assertEquals(1, f.count("SET_GROUP_ASID"), "the CVQ back in ASID 1");
            assertEquals(0x10000, f.fe.iova(Gpa.of(0x10000)).value());
        }
    }

    @Test
    void aSwitchToTheModeInUseOrOfAStoppedDeviceDoesNothing() {
        try (FrontendFixture f = started(QemuVersion.MASTER, ResetPolicy.LEGACY, MigrationTechniques.NONE)) {
            assertNull(f.fe.logGlobalEnable(false));
            assertEquals(List.of(), f.events);
            f.reset();
            f.mark();
            assertNull(f.fe.logGlobalEnable(true), "!n->vhost_started");
            assertEquals(List.of(), f.events);
        }
    }

    @Test
    void batchPutsEachDevicesRingMapsAndTheCvqBufferMapsInsideOneBatchForTheirAsid() {
        try (FrontendFixture f = started(QemuVersion.V9_2, ResetPolicy.LEGACY, BATCH)) {
            assertNull(f.fe.logGlobalEnable(true));
            List<String> m = maps(f.events);
            assertTrue(m.stream().allMatch(e -> e.startsWith("batched ")), m.toString());
            // stop: CVQ rings (asid 1), RAM (asid 0), CVQ buffers (asid 1); start: data device 0's four
            // ring areas, CVQ buffers, CVQ rings, RAM — seven batches, each for one ASID.
            assertEquals(7, f.countIotlb("BATCH_BEGIN"), f.events.toString());
            assertEquals(f.countIotlb("BATCH_BEGIN"), f.countIotlb("BATCH_END"));
        }
        try (FrontendFixture f = started(QemuVersion.V9_2, ResetPolicy.LEGACY, MigrationTechniques.NONE)) {
            assertNull(f.fe.logGlobalEnable(true));
            assertEquals(2, f.countIotlb("BATCH_BEGIN"), "upstream: only the listener batches");
            assertEquals(12, maps(f.events).stream().filter(e -> !e.startsWith("batched ")).count(),
                    "4 CVQ unmaps at the stop, 8 ring/buffer maps at the start, unbatched");
        }
    }

    @Test
    void persistKeepsRamMappedAcrossTheStopButTheNewLayoutStillRemapsIt() {
        try (FrontendFixture f = started(QemuVersion.V9_2, ResetPolicy.PERSIST, MigrationTechniques.NONE)) {
            assertTrue(f.fe.persistAcked());
            assertNull(f.fe.logGlobalEnable(true));
            List<String> ram = ramMaps(f.events);
            assertEquals(2, ram.size(), "the layout changes (GPA → tree IOVA): unregister, register: " + ram);
            // Stop-and-copy in shadow mode: the reset keeps the mappings.
            f.mark();
            f.fe.vmStop();
            assertEquals(List.of(), ramMaps(f.events), "persist: no INVALIDATE of guest RAM at the stop");
            assertTrue(f.fe.listenerRegistered());
        }
        try (FrontendFixture f = started(QemuVersion.V9_2, ResetPolicy.LEGACY, MigrationTechniques.NONE)) {
            assertNull(f.fe.logGlobalEnable(true));
            f.mark();
            f.fe.vmStop();
            assertEquals(1, ramMaps(f.events).size(), "legacy: all RAM unmapped at the stop");
            assertFalse(f.fe.listenerRegistered());
        }
    }

    @Test
    void earlyMapRegistersTheListenerAtInitOnEveryRelease() {
        for (QemuVersion q : QemuVersion.values()) {
            try (FrontendFixture f = new FrontendFixture(q, KernelVersion.V6_12, ParentKind.MLX5, ResetPolicy.LEGACY,
                    new MigrationTechniques(true, false, false))) {
                assertTrue(f.fe.listenerRegistered(), q.label());
                assertTrue(f.events.contains(RAM_AT_GPA), q + ": " + f.events);
            }
            try (FrontendFixture f = new FrontendFixture(q, KernelVersion.V6_12, ParentKind.MLX5, ResetPolicy.LEGACY,
                    MigrationTechniques.NONE)) {
                assertEquals(q.registersListenerAtSetOwner(), f.fe.listenerRegistered(), q.label());
            }
        }
    }

    private static final MigrationTechniques DESC = new MigrationTechniques(false, true, false);

    @Test
    void descAsidMovesOnlyTheShadowRingsToTheDescriptorGroupsAddressSpace() {
        try (FrontendFixture f = started(QemuVersion.V9_2, ResetPolicy.PERSIST, DESC)) {
            assertTrue((f.fe.ackedBackendFeatures() & org.toyvm.vdpa.uapi.VhostUapi.bit(
                    org.toyvm.vdpa.uapi.VhostUapi.F_DESC_ASID)) != 0, "DESC_ASID acked with IOTLB_ASID");
            assertNull(f.fe.logGlobalEnable(true));
            assertTrue(f.fe.shadowsData());
            assertEquals(List.of(), ramMaps(f.events), "guest RAM untouched: IOVA = GPA in ASID 0 all along");
            assertEquals(List.of("GET_VRING_DESC_GROUP(vq 0)", "SET_GROUP_ASID(group 2 asid 1)",
                    "GET_VRING_DESC_GROUP(vq 1)", "SET_GROUP_ASID(group 2 asid 1)"),
                    f.trace().stream().filter(t -> t.startsWith("GET_VRING_DESC_GROUP")
                            || t.startsWith("SET_GROUP_ASID(group 2")).toList());
            List<String> updates = maps(f.events).stream().filter(e -> e.startsWith("UPDATE")).toList();
            assertEquals(8, updates.size(), updates.toString());
            assertTrue(updates.stream().allMatch(e -> e.startsWith("UPDATE asid 1 ")),
                    "shadow rings and CVQ buffers in ASID 1: " + updates);
            assertEquals(0x10000, f.fe.iova(Gpa.of(0x10000)).value(), "the SVQ hands the device GPAs");
            // And back: the reset puts every group in ASID 0 again; RAM still untouched.
            f.mark();
            assertNull(f.fe.logGlobalEnable(false));
            assertEquals(List.of(), ramMaps(f.events));
            assertEquals(0, f.count("GET_VRING_DESC_GROUP"));
        }
    }

    /**
     * Without IOTLB_PERSIST the switch's reset still drops the mappings (6.7+ compat reset with
     * CLEAN_MAP; QEMU's listener unregister), so with the descriptor ASID alone RAM is unmapped and
     * mapped again — at the same IOVAs (= GPA), never at tree IOVAs.
     */
    @Test
    void descAsidWithoutPersistStillRemapsRamButAtItsGpa() {
        try (FrontendFixture f = started(QemuVersion.MASTER, ResetPolicy.LEGACY, DESC)) {
            assertNull(f.fe.logGlobalEnable(true));
            assertEquals(List.of("batched " + RAM_UNMAP_AT_GPA, "batched " + RAM_AT_GPA), ramMaps(f.events));
            assertEquals(0x10000, f.fe.iova(Gpa.of(0x10000)).value());
        }
    }

    @Test
    void descAsidOnAKernelWithoutItFallsBackToTreeIovas() {
        try (FrontendFixture f = new FrontendFixture(QemuVersion.V9_2, KernelVersion.V6_6, ParentKind.MLX5,
                ResetPolicy.LEGACY, DESC)) {
            new GuestCvq(f, VirtioNetNic.CTRL).start(GuestCvq.FEATURES);
            f.mark();
            assertNull(f.fe.logGlobalEnable(true));
            assertEquals(0, f.count("GET_VRING_DESC_GROUP"), "6.6 offers no DESC_ASID");
            List<String> ram = ramMaps(f.events);
            assertEquals(2, ram.size());
            assertNotEquals("batched " + RAM_AT_GPA, ram.get(1));
        }
    }

    @Test
    void deviceCallsGoStraightToTheGuestInPassthroughAndThroughTheSvqsWhenShadowed() {
        try (FrontendFixture f = started(QemuVersion.V9_2, ResetPolicy.LEGACY, MigrationTechniques.NONE)) {
            List<Integer> notified = new ArrayList<>();
            f.fe.setGuestNotifier(notified::add);
            f.fe.deviceCall(VirtioNetNic.RX);
            f.fe.deviceCall(VirtioNetNic.TX);
            f.fe.deviceCall(VirtioNetNic.CTRL);
            assertEquals(List.of(VirtioNetNic.RX, VirtioNetNic.TX), notified,
                    "the irqfd; the shadowed CVQ was polled by QEMU");
            assertNull(f.fe.logGlobalEnable(true));
            notified.clear();
            f.fe.deviceCall(VirtioNetNic.RX);
            assertEquals(List.of(), notified, "vhost_svq_flush found nothing used: no guest interrupt");
        }
    }
}
