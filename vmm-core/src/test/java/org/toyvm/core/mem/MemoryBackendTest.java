package org.toyvm.core.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryBackendTest {
    @Test
    void pageSizesAndSharingAreTheBackends() {
        assertEquals(4096, MemoryBackend.ANON.pageSize());
        assertEquals(2L << 20, MemoryBackend.THP.pageSize());
        assertEquals(2L << 20, MemoryBackend.HUGETLB_2M.pageSize());
        assertEquals(1L << 30, MemoryBackend.HUGETLB_1G.pageSize());
        assertEquals(4096, MemoryBackend.MEMFD.pageSize());
        assertFalse(MemoryBackend.ANON.sharedFileBacked());
        assertFalse(MemoryBackend.THP.sharedFileBacked());
        assertTrue(MemoryBackend.HUGETLB_2M.sharedFileBacked());
        assertTrue(MemoryBackend.HUGETLB_1G.sharedFileBacked());
        assertTrue(MemoryBackend.MEMFD.sharedFileBacked());
        assertEquals(MemoryBackend.THP, MemoryBackend.DEFAULT, "anonymous memory with THP, as QEMU's default");
    }

    @ParameterizedTest
    @EnumSource(MemoryBackend.class)
    void labelsParseBackCaseInsensitively(MemoryBackend b) {
        assertEquals(b, MemoryBackend.parse(b.label()));
        assertEquals(b, MemoryBackend.parse(b.label().toUpperCase(java.util.Locale.ROOT)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hugetlb", "hugetlb-4M", "shm", "anon,thp"})
    void unknownLabelsAreRefusedNamingTheAcceptedOnes(String label) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryBackend.parse(label));
        assertTrue(e.getMessage().contains("anon, thp, hugetlb-2M, hugetlb-1G, memfd"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemoryBackend.parse(null));
    }

    @ParameterizedTest
    @EnumSource(MemoryBackend.class)
    void aBlockMappedWithABackendCarriesItsRunAndSharing(MemoryBackend b) {
        HostAddressSpace mm = new HostAddressSpace();
        RamBlock ram = mm.map("pc.ram", 4L << 30, b);
        assertEquals(b.pageSize(), ram.physRunSize());
        assertEquals(b.sharedFileBacked(), ram.sharedFileBacked());
        assertEquals(b, ram.backend().orElseThrow());
    }

    @Test
    void aBlockMappedByRunSizeHasNoBackendAndCountsAsShared() {
        RamBlock b = new HostAddressSpace().map("rom", 1L << 20);
        assertTrue(b.backend().isEmpty());
        assertTrue(b.sharedFileBacked());
    }
}
