package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.mem.MemoryBackend;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * Every memory backend's page/entry counts: in PA mode one IOTLB entry per backing page (the
 * physically contiguous run) and every 4 KiB page pinned and charged; in VA mode one entry for a
 * shared file mapping and none for private anonymous memory (vhost_vdpa_va_map's VM_SHARED rule).
 */
class MemoryBackendMappingTest {
    private static final long SIZE = 2L << 30; // two 1 GiB pages, 1024 2 MiB pages, 524288 4 KiB pages
    private static final long IOVA = 1L << 30;

    @ParameterizedTest
    @EnumSource(MemoryBackend.class)
    void paModeMakesOneEntryPerBackingPageAndPinsEvery4KiBPage(MemoryBackend backend) {
        KernelFixture k = new KernelFixture(KernelVersion.V6_12, ParentKind.MLX5, 64L << 20);
        k.ackBackend(false);
        RamBlock ram = k.mm.map("guest", SIZE, backend);
        long pinBefore = k.meter.total(CostKind.PIN);
        long entriesBefore = entries(k);
        assertEquals(VhostMsgV2.SIZE, k.write(VhostMsgV2.update(0, Iova.of(IOVA), SIZE, ram.base(),
                VhostUapi.VHOST_ACCESS_RW)).rc());
        long expectedEntries = switch (backend) {
            case ANON, MEMFD -> 524_288;
            case THP, HUGETLB_2M -> 1024;
            case HUGETLB_1G -> 2;
        };
        assertEquals(expectedEntries, entries(k) - entriesBefore, backend.label());
        assertEquals(SIZE / 4096, ram.pins().pinnedPages(), "pages are counted in 4 KiB units");
        assertEquals(SIZE / 4096, k.mm.pinnedPages());
        assertEquals(SIZE / 4096 * 76, k.meter.total(CostKind.PIN) - pinBefore, "76 ns per 4 KiB page");
        assertEquals(VhostMsgV2.SIZE, k.write(VhostMsgV2.invalidate(0, Iova.of(IOVA), SIZE)).rc());
        assertEquals(0, k.mm.pinnedPages());
    }

    @ParameterizedTest
    @EnumSource(MemoryBackend.class)
    void vaModeMapsOnlySharedFileBackedMemory(MemoryBackend backend) {
        KernelFixture k = new KernelFixture(KernelVersion.V6_12, ParentSpec.vdpaSim(true, false), 64L << 20);
        k.ackBackend(false);
        RamBlock ram = k.mm.map("guest", SIZE, backend);
        long entriesBefore = entries(k);
        // Accepted either way: vhost_vdpa_va_map skips a private VMA without an error.
        assertEquals(VhostMsgV2.SIZE, k.write(VhostMsgV2.update(0, Iova.of(IOVA), SIZE, ram.base(),
                VhostUapi.VHOST_ACCESS_RW)).rc());
        assertEquals(0, k.mm.pinnedPages(), "VA mode pins nothing");
        if (backend.sharedFileBacked()) {
            assertEquals(1, entries(k) - entriesBefore, "one entry per VMA");
            assertTrue(k.seen(IOVA + SIZE - 1) != null);
        } else {
            assertEquals(0, entries(k) - entriesBefore, "a private anonymous VMA gets no entry");
            // Nothing replaced vdpa_sim's passthrough entry (vdpasim_create's iommu_pt): the IOVA is
            // taken as a user address of its own, outside guest RAM, and the access faults.
            DmaEntry e = k.seen(IOVA);
            assertTrue(e == null || e.identity(), String.valueOf(e));
            assertFalse(e != null && ram.hvaRange().contains(e.translate(IOVA)), "no way into private guest RAM");
        }
    }

    @ParameterizedTest
    @EnumSource(MemoryBackend.class)
    void vaModeSkipsOnlyThePrivateVmaOfARangeCrossingTwo(MemoryBackend backend) {
        KernelFixture k = new KernelFixture(KernelVersion.V6_12, ParentSpec.vdpaSim(true, false), 64L << 20);
        k.ackBackend(false);
        // Two adjacent blocks; the range runs from the end of the fixture's RAM into the next block.
        RamBlock second = k.mm.map("second", 4L << 20, backend);
        long firstLen = 1L << 20;
        long uaddr = k.ram.base().value() + k.ram.size() - firstLen;
        long size = second.base().value() + second.size() - uaddr;
        long before = entries(k);
        assertEquals(VhostMsgV2.SIZE, k.write(VhostMsgV2.update(0, Iova.of(IOVA),
                size, org.toyvm.core.addr.Hva.of(uaddr), VhostUapi.VHOST_ACCESS_RW)).rc());
        assertTrue(k.seen(IOVA) != null, "the shared block before is mapped");
        assertEquals(backend.sharedFileBacked(), k.seen(IOVA + size - 1) != null, "the second block's entry");
        assertEquals(backend.sharedFileBacked() ? 2 : 1, entries(k) - before);
    }

    /** Entries of address space 0 (none before its first UPDATE creates it). */
    private static long entries(KernelFixture k) {
        return k.dev.iotlb(0) == null ? 0 : k.dev.iotlb(0).size();
    }
}
