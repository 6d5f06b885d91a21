package org.toyvm.core.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.MemoryAccessException;
import org.toyvm.core.mem.RamBlock;

class DriverRingTest {
    /** RAM mapped at GPA 1 MiB, so that a GPA and a block offset differ by 1 MiB. */
    private static final Gpa BASE = Gpa.of(0x10_0000);
    private final RamBlock ram = new HostAddressSpace().map("guest", 1 << 20);
    private final GuestRam guest = GuestRam.at(ram, BASE);

    @Test
    void contiguousLayoutFollowsTheSpecAlignment() {
        DriverRing.Layout l = DriverRing.Layout.contiguous(Gpa.of(0x10_0000), 8);
        assertEquals(0x10_0000 + 16 * 8, l.avail().value());
        // avail ring is 6 + 2*8 = 22 bytes, so the used ring starts at the next multiple of 4.
        assertEquals(0x10_0000 + 128 + 24, l.used().value());
    }

    @Test
    void descriptorsAndAvailHeadsLandAtTheirGuestPhysicalAddresses() {
        DriverRing r = DriverRing.contiguous(guest, 8, BASE.plus(0x1000));
        r.writeDesc(9, Gpa.of(0xdead_beef_0000L), 1500, SplitRing.DESC_F_WRITE, 3);
        long d = 0x1000 + SplitRing.desc(1); // 9 mod 8; block offset = GPA - 1 MiB
        assertEquals(0xdead_beef_0000L, ram.getU64(d));
        assertEquals(1500, ram.getU32(d + 8));
        assertEquals(SplitRing.DESC_F_WRITE, ram.getU16(d + 12));
        assertEquals(3, ram.getU16(d + 14));

        r.add(1);
        long avail = r.layout().avail().value() - BASE.value();
        assertEquals(0, ram.getU16(avail + SplitRing.AVAIL_IDX), "add alone publishes nothing");
        r.publish();
        assertEquals(1, ram.getU16(avail + SplitRing.AVAIL_IDX));
        assertEquals(1, ram.getU16(avail + SplitRing.availRing(0)));
    }

    @Test
    void usedElementsAreConsumedInOrderAcrossTheIndexWrap() {
        DriverRing r = DriverRing.contiguous(guest, 4, BASE);
        long used = r.layout().used().value() - BASE.value();
        // Play the device: start both indexes just below the 16-bit wrap.
        r.forceAvailIdx(0xfffe);
        for (int n = 0; n < 3; n++) {
            r.offer(n);
        }
        assertEquals(1, r.availIdx());
        int usedIdx = 0xfffe;
        while (r.usedSeen() != 0xfffe) {
            r.consumeUsed();
        }
        for (int n = 0; n < 3; n++) {
            long e = used + SplitRing.usedElem(usedIdx & 3);
            ram.putU32(e, n);
            ram.putU32(e + 4, 100 + n);
            usedIdx = (usedIdx + 1) & 0xffff;
        }
        ram.putU16Release(used + SplitRing.USED_IDX, (short) usedIdx);
        for (int n = 0; n < 3; n++) {
            assertTrue(r.hasUsed());
            assertEquals(n, r.nextUsedId());
            assertEquals(100 + n, r.nextUsedLen());
            r.consumeUsed();
        }
        assertFalse(r.hasUsed());
        assertEquals(1, r.usedSeen());
    }

    @Test
    void eventIndexFieldsSitAfterTheRings() {
        DriverRing r = DriverRing.contiguous(guest, 16, BASE);
        r.setUsedEvent(0xabcd);
        assertEquals((short) 0xabcd, ram.getU16(r.layout().avail().value() - BASE.value() + SplitRing.usedEvent(16)));
        ram.putU16(r.layout().used().value() - BASE.value() + SplitRing.availEvent(16), (short) 0xfffe);
        assertEquals(0xfffe, r.availEvent());
    }

    @Test
    void aRingOutsideGuestRamIsRefusedAtConstruction() {
        assertThrows(MemoryAccessException.class, () -> DriverRing.contiguous(guest, 8, Gpa.of(0)));
        assertThrows(MemoryAccessException.class,
                () -> DriverRing.contiguous(guest, 256, BASE.plus((1 << 20) - 0x100)));
        assertThrows(IllegalArgumentException.class, () -> DriverRing.contiguous(guest, 3, BASE));
        assertThrows(IllegalArgumentException.class, () -> DriverRing.contiguous(guest, 65536, BASE));
    }
    @Test
    void aDroppedChunkIsNeitherReadNorWrittenThroughAStaleView() {
        // The ring lies inside the block's first chunk; the first write allocates it, later accesses
        // go through a view of its array until zero() drops the chunk.
        DriverRing r = DriverRing.contiguous(guest, 8, BASE);
        long used = r.layout().used().value() - BASE.value();
        r.writeDesc(0, Gpa.of(0x1000), 64, 0, 0);
        r.writeDesc(1, Gpa.of(0x2000), 64, 0, 0);
        ram.putU16Release(used + SplitRing.USED_IDX, (short) 5);
        assertEquals(5, r.usedIdx());

        ram.zero(0, RamBlock.CHUNK_SIZE);
        assertEquals(0, r.usedIdx(), "the dropped chunk's old array must not be read");
        assertFalse(r.hasUsed());
        r.writeDescLen(1, 1500);
        assertEquals(1500, ram.getU32(SplitRing.desc(1) + SplitRing.DESC_LEN), "a write after the drop must reach RAM");
        r.offer(1);
        long avail = r.layout().avail().value() - BASE.value();
        assertEquals(1, ram.getU16(avail + SplitRing.AVAIL_IDX));
        assertEquals(1, ram.getU16(avail + SplitRing.availRing(0)));
        ram.putU32(used + SplitRing.usedElem(0) + SplitRing.USED_ELEM_LEN, 77);
        ram.putU16Release(used + SplitRing.USED_IDX, (short) 1);
        assertTrue(r.hasUsed());
        assertEquals(77, r.nextUsedLen());
    }

    @Test
    void aRingSpanningTwoChunksIsReadAndWrittenThroughTheBlock() {
        // 256 descriptors (4 KiB) starting 2 KiB before a chunk boundary: no single-chunk view exists.
        Gpa base = BASE.plus(RamBlock.CHUNK_SIZE - 2048);
        DriverRing r = DriverRing.contiguous(guest, 256, base);
        long off = base.value() - BASE.value();
        for (int i = 0; i < 256; i++) {
            r.writeDesc(i, Gpa.of(0x1000L * i), i, 0, 0);
        }
        for (int i = 0; i < 256; i++) {
            assertEquals(0x1000L * i, ram.getU64(off + SplitRing.desc(i)));
            assertEquals(i, ram.getU32(off + SplitRing.desc(i) + SplitRing.DESC_LEN));
        }
    }

    @Test
    void aRingMovedToACopyOfItsRamKeepsItsIndicesAndWritesOnlyTheNewRam() {
        DriverRing r = DriverRing.contiguous(guest, 8, BASE.plus(0x1000));
        long used = r.layout().used().value() - BASE.value();
        long avail = r.layout().avail().value() - BASE.value();
        for (int n = 0; n < 5; n++) {
            r.offer(n);
        }
        // The device used three chains; the driver consumed two.
        ram.putU32(used + SplitRing.usedElem(2) + SplitRing.USED_ELEM_ID, 2);
        ram.putU16Release(used + SplitRing.USED_IDX, (short) 3);
        r.consumeUsed();
        r.consumeUsed();

        RamBlock copy = new HostAddressSpace().map("guest", 1 << 20);
        ram.copyTo(copy);
        DriverRing moved = r.movedTo(GuestRam.at(copy, BASE));

        assertEquals(r.layout(), moved.layout());
        assertEquals(5, moved.availIdx());
        assertEquals(2, moved.usedSeen());
        assertTrue(moved.hasUsed());
        assertEquals(2, moved.nextUsedId(), "read from the copy");
        moved.offer(6);
        assertEquals(6, copy.getU16(avail + SplitRing.AVAIL_IDX));
        assertEquals(6, copy.getU16(avail + SplitRing.availRing(5)));
        assertEquals(5, ram.getU16(avail + SplitRing.AVAIL_IDX), "the old RAM is not written any more");
        assertThrows(MemoryAccessException.class,
                () -> r.movedTo(GuestRam.at(new HostAddressSpace().map("small", 0x1000), BASE)));
    }
}
