package org.toyvm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.MemoryAccessException;
import org.toyvm.core.mem.RamBlock;

/** The address space as {@link GuestRam}: a GPA resolves through the FlatView to its RAM block offset. */
class AddressSpaceGuestRamTest {
    final MemorySystem sys = new MemorySystem();
    final HostAddressSpace host = new HostAddressSpace();
    final RamBlock ram = host.map("ram", 0x40_0000);
    final RamBlock romBlock = host.map("rom", 0x1000);
    final MemoryRegion root = sys.container("system", U64.MAX);
    final AddressSpace as = sys.addressSpace("memory", root);

    /** pc-like: the low 2 MiB of the block at GPA 0, the rest as "high" RAM at 4 GiB; a ROM and an MMIO page. */
    AddressSpaceGuestRamTest() {
        MemoryRegion whole = sys.ram("ram", ram, 0, 0x40_0000);
        sys.transactionBegin();
        root.addSubregion(0, sys.alias("low", whole, 0, 0x20_0000));
        root.addSubregion(1L << 32, sys.alias("high", whole, 0x20_0000, 0x20_0000));
        root.addSubregion(0x100_0000, sys.rom("rom", romBlock, 0, 0x1000));
        root.addSubregion(0x200_0000, sys.io("mmio", 0x1000, new MemoryRegionOps() {
            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, long value, int size) {
            }
        }));
        sys.transactionCommit();
    }

    @Test
    void aGpaAboveFourGigResolvesToItsBlockOffsetNotToItsValue() {
        GuestRam.RamSpan s = as.span(Gpa.of((1L << 32) + 0x1230), 0x100);
        assertSame(ram, s.block());
        assertEquals(0x20_1230, s.offset());
        GuestRam.RamSpan low = as.span(Gpa.of(0x1230), 0x100);
        assertEquals(0x1230, low.offset(), "low RAM starts at block offset 0");
    }

    @Test
    void whatTheGuestWritesThroughTheSpanIsWhatTheAddressSpaceReadsAtThatGpa() {
        Gpa gpa = Gpa.of((1L << 32) + 0x8000);
        GuestRam.RamSpan s = as.span(gpa, 8);
        s.block().putU64(s.offset(), 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, as.readValue(gpa.value(), 8).value());
        assertEquals(0, as.readValue(0x8000, 8).value(), "the GPA's value as a block offset is untouched");
    }

    @Test
    void aRangeOutsideOneWritableRamRangeDoesNotResolve() {
        // Crossing the end of low RAM, unmapped, ROM, MMIO, empty, and wrapping past 2^64.
        assertThrows(MemoryAccessException.class, () -> as.span(Gpa.of(0x1f_ff00), 0x200));
        assertThrows(MemoryAccessException.class, () -> as.span(Gpa.of(0x80_0000), 1));
        assertThrows(MemoryAccessException.class, () -> as.span(Gpa.of(0x100_0000), 0x10));
        assertThrows(MemoryAccessException.class, () -> as.span(Gpa.of(0x200_0000), 4));
        assertThrows(MemoryAccessException.class, () -> as.span(Gpa.of(0x1000), 0));
        assertThrows(MemoryAccessException.class, () -> as.span(Gpa.of(U64.MAX), 2));
        MemoryRegion ro = sys.ram("ro", ram, 0x38_0000, 0x1000);
        ro.setReadonly(true);
        root.addSubregion(0x300_0000, ro);
        assertThrows(MemoryAccessException.class, () -> as.span(Gpa.of(0x300_0000), 4), "read-only RAM");
    }

    @Test
    void theSpanFollowsTheCurrentView() {
        MemoryRegion moved = sys.ram("moved", ram, 0x30_0000, 0x1000);
        root.addSubregionOverlap(0x5000, moved, 1);
        assertEquals(0x30_0000, as.span(Gpa.of(0x5000), 0x1000).offset());
        root.delSubregion(moved);
        assertEquals(0x5000, as.span(Gpa.of(0x5000), 0x1000).offset());
    }
}
