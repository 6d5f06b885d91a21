package org.toyvm.core.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.addr.U64;

/** Sizes of a block are unsigned 64-bit values from userspace (mmap lengths): no size throws anything but a clear refusal. */
class HostAddressSpaceTest {
    @ParameterizedTest
    @ValueSource(longs = {0, (1L << 31) - 1, 1L << 31, (1L << 32) - 1, 1L << 62, (1L << 63) - 4096, 1L << 63,
        -4095, U64.MAX})
    void everySizeIsMappedOrRefusedClearly(long size) {
        HostAddressSpace mm = new HostAddressSpace();
        boolean room = mm.hasRoomFor(size);
        // Room means a positive long whose page rounding and placement stay below 2^64.
        assertEquals(size > 0 && size <= (1L << 63) - 4096, room, U64.hex(size));
        if (room) {
            RamBlock b = mm.map("b", size, 4096);
            assertEquals(size, b.size());
            assertTrue(U64.ge(b.base().value(), HostAddressSpace.FIRST_HVA));
            assertFalse(mm.hasRoomFor(size > (1L << 62) ? size : U64.MAX), "no wrap-around placement");
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mm.map("b", size, 4096));
            assertTrue(e.getMessage().contains("no room"), e.getMessage());
            assertEquals(0, mm.blocks().size());
        }
    }
}
