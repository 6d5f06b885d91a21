package org.toyvm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;

class MemoryApiRulesTest {
    final MemorySystem sys = new MemorySystem();
    final RamBlock block = new HostAddressSpace().map("ram", 1 << 20);
    final MemoryRegion root = sys.container("system", U64.MAX);
    final AddressSpace as = sys.addressSpace("memory", root);

    private final ListenerLog recorder =
            new ListenerLog(s -> s.region().name() + " " + U64.hex(s.offsetWithinAddressSpace()), true);
    private final List<String> log = recorder.lines();

    @Test
    void equalPriorityNewestWinsHigherPriorityWinsAlways() {
        MemoryRegion a = sys.ram("a", block, 0, 0x1000);
        MemoryRegion b = sys.ram("b", block, 0x1000, 0x1000);
        MemoryRegion c = sys.ram("c", block, 0x2000, 0x1000);
        root.addSubregion(0, a);
        root.addSubregion(0, b);
        assertSame(b, as.view().lookup(0x10).region(), "the most recently added wins a tie");
        root.addSubregionOverlap(0, c, -1);
        assertSame(b, as.view().lookup(0x10).region(), "lower priority is hidden");
        assertEquals(List.of(b, a, c), root.subregions());
    }

    @Test
    void aliasRendersItsTargetShiftedByAddressMinusOffset() {
        MemoryRegion ram = sys.ram("pc.ram", block, 0, 1 << 20);
        MemoryRegion hi = sys.alias("ram-above", ram, 0x8000, 0x4000);
        root.addSubregion(0x1_0000_0000L, hi);
        FlatRange r = as.view().lookup(0x1_0000_0010L);
        assertSame(ram, r.region());
        assertEquals(0x8010, r.offsetInRegion() + (0x1_0000_0010L - r.start()));
        assertNull(as.view().lookup(0x1_0000_4000L));
        hi.setAliasOffset(0x100);
        r = as.view().lookup(0x1_0000_0000L);
        assertEquals(0x100, r.offsetInRegion());
    }

    @Test
    void mergingNeedsSameRegionContiguousOffsetsAndEqualAttributes() {
        MemoryRegion ram = sys.ram("pc.ram", block, 0, 0x4000);
        MemoryRegion lo = sys.alias("lo", ram, 0, 0x2000);
        MemoryRegion hi = sys.alias("hi", ram, 0x2000, 0x2000);
        root.addSubregion(0, lo);
        root.addSubregion(0x2000, hi);
        assertEquals(1, as.view().size(), "two aliases back to back onto contiguous RAM merge");
        hi.setReadonly(true);
        assertEquals(2, as.view().size(), "readonly differs: no merge");
        hi.setReadonly(false);
        ram.setUnmergeable(true);
        assertEquals(2, as.view().size(), "unmergeable never merges");
        ram.setUnmergeable(false);
        hi.setAliasOffset(0x1000);
        assertEquals(2, as.view().size(), "offsets not contiguous");
    }

    @Test
    void terminatingRegionFillsOnlyTheGapsItsChildrenLeave() {
        MemoryRegion ram = sys.ram("ram", block, 0, 0x3000);
        MemoryRegion io = sys.io("mmio", 0x1000, RandomTopology.OPS);
        ram.addSubregion(0x1000, io);
        root.addSubregion(0, ram);
        assertEquals(3, as.view().size());
        assertSame(io, as.view().lookup(0x1800).region());
        assertEquals(0x2000, as.view().lookup(0x2000).offsetInRegion());
    }

    @Test
    void registerReplaysAddsAndUnregisterReplaysDeletesOnce() {
        root.addSubregion(0, sys.ram("a", block, 0, 0x1000));
        root.addSubregion(0x2000, sys.rom("b", block, 0x1000, 0x1000));
        as.registerListener(recorder);
        assertEquals(List.of("begin", "add a 0x0", "add b 0x2000", "commit"), log);
        log.clear();
        as.unregisterListener(recorder);
        assertEquals(List.of("begin", "del a 0x0", "del b 0x2000", "commit"), log);
        log.clear();
        as.unregisterListener(recorder);
        assertTrue(log.isEmpty(), "a second unregister does nothing");
    }

    @Test
    void nestedTransactionsCommitOnceAtTheOutermost() {
        as.registerListener(recorder);
        log.clear();
        long before = sys.commits();
        sys.transactionBegin();
        root.addSubregion(0, sys.ram("a", block, 0, 0x1000));
        root.addSubregion(0x1000, sys.ram("b", block, 0x4000, 0x1000));
        assertTrue(log.isEmpty(), "nothing until the outermost commit");
        sys.transactionCommit();
        assertEquals(before + 1, sys.commits());
        assertEquals(List.of("begin", "add a 0x0", "add b 0x1000", "commit"), log);
        log.clear();
        root.addSubregion(0x8000, sys.ram("c", block, 0x8000, 0x1000));
        assertEquals(List.of("begin", "nop a", "nop b", "add c 0x8000", "commit"), log);
    }

    @Test
    void resizeIsOneDeletePlusAddsForTheNewPieces() {
        MemoryRegion a = sys.ram("a", block, 0, 0x2000);
        root.addSubregion(0, a);
        as.registerListener(recorder);
        log.clear();
        a.setSize(0x3000);
        assertEquals(List.of("begin", "del a 0x0", "add a 0x0", "commit"), log);
    }

    @Test
    void fullSixtyFourBitSection() {
        MemoryRegion io = sys.io("everything", U64.MAX, RandomTopology.OPS);
        root.addSubregion(0, io);
        MemoryRegionSection s = as.view().sections().get(0);
        assertTrue(s.sizeIsFull());
        assertThrows(ArithmeticException.class, s::size);
        assertTrue(io.isFullSize());
    }

    @Test
    void guestAccessesRamRomMmioAndUnassigned() {
        MemoryRegion ram = sys.ram("ram", block, 0, 0x1000);
        MemoryRegion rom = sys.rom("rom", block, 0x1000, 0x1000);
        List<String> mmio = new ArrayList<>();
        MemoryRegion io = sys.io("dev", 0x100, new MemoryRegionOps() {
            @Override
            public long read(long offset, int size) {
                return 0x1234_5678_9abcL;
            }

            @Override
            public void write(long offset, long value, int size) {
                mmio.add(offset + "=" + Long.toHexString(value) + "/" + size);
            }
        });
        root.addSubregion(0, ram);
        root.addSubregion(0x1000, rom);
        root.addSubregion(0x10000, io);
        assertEquals(MemTxResult.OK, as.writeValue(0x10, 0xdeadbeefL, 4));
        assertEquals(0xdeadbeefL, as.readValue(0x10, 4).value());
        block.putU32(0x1000, 0x11223344);
        assertEquals(MemTxResult.OK, as.writeValue(0x1000, 0, 4), "ROM writes are ignored, not errors");
        assertEquals(0x11223344, as.readValue(0x1000, 4).value());
        as.writeValue(0x10004, 0x77, 4);
        assertEquals(List.of("4=77/4"), mmio);
        assertEquals(0x9abcL, as.readValue(0x10000, 2).value());
        AddressSpace.Read hole = as.readValue(0x5000, 8);
        assertEquals(0, hole.value());
        assertEquals(MemTxResult.DECODE_ERROR, hole.result());
        // An access spanning RAM into ROM is split.
        byte[] buf = new byte[8];
        assertEquals(MemTxResult.OK, as.read(0xffc, buf, 0, 8));
        assertEquals(0x44, buf[4]);
        assertEquals(MemTxResult.DECODE_ERROR, as.write(0x1ffc, new byte[8], 0, 8));
        assertNull(as.translate(0x10000, 4), "MMIO has no RAM slice");
        assertEquals(0x10, as.translate(0x10, 4).offset());
    }

    @Test
    void twoMachinesShareNothing() {
        MemorySystem other = new MemorySystem();
        MemoryRegion foreign = other.ram("x", block, 0, 0x1000);
        assertThrows(IllegalArgumentException.class, () -> root.addSubregion(0, foreign));
        other.transactionBegin();
        root.addSubregion(0, sys.ram("mine", block, 0, 0x1000));
        assertEquals(1, as.view().size(), "the other system's open transaction does not hold ours");
        other.transactionCommit();
    }

    // ---------------------------------------------------------------- bad input §19

    private void refusedUnchanged(Runnable call, String... mustName) {
        FlatView before = as.view();
        long commits = sys.commits();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String n : mustName) {
            assertTrue(e.getMessage().contains(n), "message '" + e.getMessage() + "' names " + n);
        }
        assertSame(before, as.view(), "view unchanged");
        assertEquals(commits, sys.commits(), "no commit ran");
        assertEquals(0, sys.transactionDepth());
    }

    @Test
    void subregionThatDoesNotFit() {
        MemoryRegion box = sys.container("box", 0x1000);
        root.addSubregion(0, box);
        refusedUnchanged(() -> box.addSubregion(0x800, sys.ram("big", block, 0, 0x1000)), "big", "box");
    }

    @Test
    void addingARegionTwiceOrToTwoParents() {
        MemoryRegion a = sys.ram("a", block, 0, 0x1000);
        MemoryRegion box = sys.container("box", 0x10000);
        root.addSubregion(0, a);
        root.addSubregion(0x100000, box);
        refusedUnchanged(() -> root.addSubregion(0x5000, a), "a", "system");
        refusedUnchanged(() -> box.addSubregion(0, a), "a", "box");
    }

    @Test
    void aliasCycles() {
        MemoryRegion box = sys.container("box", 0x10000);
        root.addSubregion(0, box);
        MemoryRegion loop = sys.alias("loop", box, 0, 0x1000);
        refusedUnchanged(() -> box.addSubregion(0x2000, loop), "loop", "box");
        refusedUnchanged(() -> box.addSubregion(0, box), "box");
        MemoryRegion self = sys.alias("self", root, 0, 0x1000);
        refusedUnchanged(() -> root.addSubregion(0, self), "self");
    }

    @Test
    void sizeZeroAndOverflow() {
        assertThrows(IllegalArgumentException.class, () -> sys.container("empty", 0));
        MemoryRegion a = sys.ram("a", block, 0, 0x1000);
        root.addSubregion(0, a);
        refusedUnchanged(() -> a.setSize(0), "a");
        refusedUnchanged(() -> root.addSubregion(U64.MAX - 0x10, sys.ram("wrap", block, 0, 0x1000)), "wrap");
        refusedUnchanged(() -> a.setAddress(U64.MAX - 0x10), "a");
    }

    @Test
    void removingARegionThatIsNotAChild() {
        MemoryRegion a = sys.ram("a", block, 0, 0x1000);
        MemoryRegion box = sys.container("box", 0x10000);
        root.addSubregion(0, box);
        box.addSubregion(0, a);
        refusedUnchanged(() -> root.delSubregion(a), "a", "system", "box");
        refusedUnchanged(() -> root.delSubregion(sys.ram("stray", block, 0, 0x1000)), "stray");
        assertFalse(root.subregions().contains(a));
    }
}
