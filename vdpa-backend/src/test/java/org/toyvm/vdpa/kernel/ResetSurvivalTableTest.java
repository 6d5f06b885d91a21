package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * The table of docs/linux-vhost-vdpa.md §6: kernel × parent × IOTLB_PERSIST acked or not; map guest
 * memory, reset with SET_STATUS(0), and see which translations survive and what a second UPDATE of
 * the same range returns.
 */
class ResetSurvivalTableTest {
    static Stream<Arguments> table() {
        List<Arguments> rows = new ArrayList<>();
        for (KernelVersion v : KernelVersion.values()) {
            for (ParentKind p : ParentKind.values()) {
                for (boolean persist : new boolean[] {false, true}) {
                    rows.add(Arguments.of(v, p, persist));
                }
            }
        }
        return rows.stream();
    }

    /** §6, read as rules: the platform IOMMU domain is vhost-vdpa's; other parents keep maps only if acked on 6.7. */
    static boolean survives(KernelVersion v, ParentKind p, boolean persistAcked) {
        return p == ParentKind.PLATFORM || (v.hasIotlbPersist() && persistAcked);
    }

    @ParameterizedTest(name = "{0} {1} persist={2}")
    @MethodSource("table")
    void mappingsAcrossReset(KernelVersion v, ParentKind p, boolean wantPersist) {
        KernelFixture k = new KernelFixture(v, p, 1L << 30);
        boolean offered = (k.dev.offeredBackendFeatures() & VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST)) != 0;
        assertEquals(v.hasIotlbPersist(), offered, "IOTLB_PERSIST offered from 6.7 on for every parent");
        if (wantPersist && !offered) {
            // 6.6 does not know the bit: EOPNOTSUPP, and userspace acks without it.
            long all = VhostUapi.bit(VhostUapi.F_IOTLB_MSG_V2) | VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST);
            assertEquals(Errno.EOPNOTSUPP, k.dev.setBackendFeatures(all).errno());
        }
        boolean acked = wantPersist && offered;
        k.ackBackend(acked);
        assertEquals(acked, k.dev.persistAcked());

        // QEMU-style: one batch mapping RAM at IOVA 0 (the guest's GPA).
        assertTrue(k.write(VhostMsgV2.batchBegin(0)).ok());
        assertTrue(k.update(0, 1L << 30, 0, VhostUapi.VHOST_ACCESS_RW).ok());
        assertTrue(k.write(VhostMsgV2.batchEnd(0)).ok());
        k.dev.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK);
        assertTrue(k.reachesRam(0x1000), "mapped before reset");
        long pinned = k.mm.pinnedPages();
        assertEquals(262144, pinned);

        assertTrue(k.dev.setStatus(0).ok());

        boolean expected = survives(v, p, acked);
        assertEquals(expected, k.reachesRam(0x1000), "translation after reset");
        if (!expected) {
            DmaEntry e = k.seen(0x1000);
            if (p == ParentKind.VDPA_SIM && !v.vdpaSimPassthroughAtReset()) {
                // vdpa_sim before 6.3: vdpasim_do_reset empties the table (no passthrough map yet).
                assertNull(e, "6.1 vdpa_sim: a dropped map leaves nothing");
            } else {
                assertNotNull(e, "a dropped map falls back to 1:1, not to nothing");
                assertTrue(e.identity());
            }
        }
        // No reset touches vhost-vdpa's table or the pins.
        assertEquals(pinned, k.mm.pinnedPages());
        assertEquals(1, k.dev.iotlb(0).size());
        // Re-sending the same UPDATE fails: vhost-vdpa still holds the range (EEXIST inside).
        WriteResult again = k.update(0, 1L << 30, 0, VhostUapi.VHOST_ACCESS_RW);
        assertEquals(Errno.EFAULT, again.errno());
        assertEquals(Errno.EEXIST, again.innerErrno());
        assertEquals(IotlbFailure.OVERLAP, again.failure());
        // Legacy recovery always works: INVALIDATE unpins, UPDATE pins and maps again.
        assertTrue(k.write(VhostMsgV2.batchBegin(0)).ok());
        assertTrue(k.invalidate(0, 1L << 30).ok());
        assertEquals(0, k.mm.pinnedPages());
        assertTrue(k.update(0, 1L << 30, 0, VhostUapi.VHOST_ACCESS_RW).ok());
        assertTrue(k.write(VhostMsgV2.batchEnd(0)).ok());
        assertTrue(k.reachesRam(0x1000));
        assertEquals(pinned, k.mm.pinnedPages());
        // Release returns every pin, PERSIST or not.
        k.dev.close();
        assertEquals(0, k.mm.pinnedPages());
        assertEquals(0, k.ram.pins().pinnedPages());
        assertFalse(k.reachesRam(0x1000), "nothing survives close");
    }
}
