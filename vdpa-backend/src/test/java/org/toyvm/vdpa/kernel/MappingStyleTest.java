package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.parent.PlatformIommuParent;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * The parent's mapping style decides which parent op vhost-vdpa calls, and when (vhost_vdpa_map,
 * vhost_vdpa_general_unmap, vhost_vdpa_unmap's set_map, BATCH_END): dma_map and iommu_map per entry
 * at once, set_map with the whole table outside a batch or at its end.
 */
class MappingStyleTest {
    private static final Map<ParentKind, String> STYLE =
            Map.of(ParentKind.VDPA_SIM, "DmaMap", ParentKind.MLX5, "SetMap", ParentKind.PLATFORM, "IommuDomain");

    @ParameterizedTest
    @EnumSource(ParentKind.class)
    void eachParentHasOneStyleAndTheMapperFollowsIt(ParentKind kind) {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, kind, 1L << 20);
        MappingStyle style = k.parent.mappingStyle();
        assertEquals(STYLE.get(kind), style.getClass().getSimpleName());
        ParentMapper m = ParentMapper.of(style);
        assertEquals(style.fold(d -> ParentMapper.PerEntry.class, s -> ParentMapper.WholeTable.class,
                i -> ParentMapper.Domain.class), m.getClass());
        // The platform domain's aperture bounds the IOVA range; the others fall back to everything.
        assertEquals(kind == ParentKind.PLATFORM ? PlatformIommuParent.APERTURE : AddrRange.ALL, m.fallbackIovaRange());
        assertEquals(kind == ParentKind.PLATFORM, m.survivesDeviceReset());
    }

    private static long[] calls(KernelFixture k) {
        return new long[] {k.counters.get(KernelEvent.DMA_MAP), k.counters.get(KernelEvent.DMA_UNMAP),
            k.counters.get(KernelEvent.SET_MAP), k.counters.get(KernelEvent.IOMMU_MAP),
            k.counters.get(KernelEvent.IOMMU_UNMAP)};
    }

    private static void assertCalls(long[] expected, KernelFixture k, String when) {
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(calls(k)), when);
    }

    @Test
    void perEntryStylesCallTheParentForEveryEntryEvenInABatch() {
        for (ParentKind kind : new ParentKind[] {ParentKind.VDPA_SIM, ParentKind.PLATFORM}) {
            KernelFixture k = new KernelFixture(KernelVersion.V6_7, kind, 1L << 20);
            boolean sim = kind == ParentKind.VDPA_SIM;
            assertEquals(Errno.OK, k.write(VhostMsgV2.batchBegin(0)).errno());
            assertEquals(Errno.OK, k.update(0x10000, 0x1000, 0, VhostUapi.VHOST_ACCESS_RW).errno());
            assertCalls(sim ? new long[] {1, 0, 0, 0, 0} : new long[] {0, 0, 0, 1, 0}, k, kind + " update");
            assertTrue(k.reachesRam(0x10000), kind.label());
            assertEquals(Errno.OK, k.invalidate(0x10000, 0x1000).errno());
            assertEquals(Errno.OK, k.write(VhostMsgV2.batchEnd(0)).errno());
            assertCalls(sim ? new long[] {1, 1, 0, 0, 0} : new long[] {0, 0, 0, 1, 1}, k, kind + " invalidate");
        }
    }

    @Test
    void wholeTableStyleCallsSetMapOutsideABatchAndOnceAtItsEnd() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.MLX5, 1L << 20);
        assertEquals(Errno.OK, k.update(0x10000, 0x1000, 0, VhostUapi.VHOST_ACCESS_RW).errno());
        assertCalls(new long[] {0, 0, 1, 0, 0}, k, "update outside a batch");
        assertEquals(Errno.OK, k.invalidate(0x10000, 0x1000).errno());
        assertCalls(new long[] {0, 0, 2, 0, 0}, k, "invalidate outside a batch");
        assertEquals(Errno.OK, k.write(VhostMsgV2.batchBegin(0)).errno());
        assertEquals(Errno.OK, k.update(0x10000, 0x1000, 0, VhostUapi.VHOST_ACCESS_RW).errno());
        assertEquals(Errno.OK, k.update(0x20000, 0x1000, 0x1000, VhostUapi.VHOST_ACCESS_RW).errno());
        assertEquals(Errno.OK, k.invalidate(0x20000, 0x1000).errno());
        assertCalls(new long[] {0, 0, 2, 0, 0}, k, "inside a batch");
        assertTrue(!k.reachesRam(0x10000), "the MR is not rebuilt before BATCH_END");
        assertEquals(Errno.OK, k.write(VhostMsgV2.batchEnd(0)).errno());
        assertCalls(new long[] {0, 0, 3, 0, 0}, k, "BATCH_END");
        assertTrue(k.reachesRam(0x10000));
    }

    /** perm_to_iommu_flags: only RO, WO and RW give the device access; every other u8 gives none. */
    @Test
    void iommuFlagsOfEveryPermByte() {
        for (int perm = 0; perm < 256; perm++) {
            int expected = perm == DmaEntry.PERM_RO || perm == DmaEntry.PERM_WO || perm == DmaEntry.PERM_RW ? perm
                    : DmaEntry.PERM_NONE;
            assertEquals(expected, ParentMapper.Domain.iommuFlags(perm), "perm " + perm);
        }
    }
}
