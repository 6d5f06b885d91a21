package org.toyvm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;

/**
 * Two facts of QEMU's memory API (system/memory.c), as a listener sees them:
 * memory_region_set_address deletes and re-adds the region (memory_region_readd_subregion), so it
 * becomes the newest among equal priorities; unmergeable is passed down render_memory_region like
 * readonly, through containers and aliases (QEMU 8.2+).
 */
class QemuMemoryFactsTest {
    final MemorySystem sys = new MemorySystem();
    final RamBlock block = new HostAddressSpace().map("ram", 1 << 20);
    final MemoryRegion root = sys.container("system", U64.MAX);
    final AddressSpace as = sys.addressSpace("memory", root);
    final ListenerLog recorder = new ListenerLog(QemuMemoryFactsTest::describe, false);
    final List<String> log = recorder.lines();

    {
        as.registerListener(recorder);
        log.clear();
    }

    private static String describe(MemoryRegionSection s) {
        return s.region().name() + " " + U64.hex(s.offsetWithinAddressSpace()) + "+" + U64.hex(s.size())
                + (s.unmergeable() ? " unmergeable" : "");
    }

    @Test
    void setAddressReAddsTheRegionSoItBecomesTheNewestOfItsPriority() {
        MemoryRegion a = sys.ram("a", block, 0, 0x1000);
        MemoryRegion b = sys.ram("b", block, 0x1000, 0x1000);
        MemoryRegion hi = sys.ram("hi", block, 0x2000, 0x1000);
        MemoryRegion lo = sys.ram("lo", block, 0x3000, 0x1000);
        root.addSubregion(0, a);
        root.addSubregion(0, b); // the newest of priority 0: b hides a
        root.addSubregionOverlap(0x10000, hi, 1);
        root.addSubregionOverlap(0x20000, lo, -1);
        assertEquals(List.of(hi, b, a, lo), root.subregions());
        log.clear();

        a.setAddress(0x800); // deleted and added again: now before b
        assertEquals(List.of(hi, a, b, lo), root.subregions(), "before the first sibling of lower or equal priority");
        assertSame(a, as.view().lookup(0x800).region(), "a, re-added, wins the overlap with b");
        assertSame(b, as.view().lookup(0x7ff).region());
        assertEquals(List.of("begin", "del b 0x0+0x1000", "add b 0x0+0x800", "add a 0x800+0x1000", "commit"), log);

        lo.setAddress(0x30000);
        assertEquals(List.of(hi, a, b, lo), root.subregions(), "a lower priority stays behind");
        b.setAddress(0x1000);
        assertEquals(List.of(hi, b, a, lo), root.subregions(), "never ahead of a higher priority");
    }

    @Test
    void setAddressToTheSameAddressIsNoTransaction() {
        MemoryRegion a = sys.ram("a", block, 0, 0x1000);
        MemoryRegion b = sys.ram("b", block, 0x1000, 0x1000);
        root.addSubregion(0, a);
        root.addSubregion(0, b);
        log.clear();
        a.setAddress(0);
        assertEquals(List.of(), log, "memory_region_set_address returns at once when the address is unchanged");
        assertEquals(List.of(b, a), root.subregions(), "and a does not become the newest");
        assertSame(b, as.view().lookup(0).region());
    }

    @Test
    void unmergeableIsInheritedThroughContainersAndAliases() {
        MemoryRegion ram = sys.ram("pc.ram", block, 0, 0x4000);
        MemoryRegion box = sys.container("box", 0x4000);
        box.addSubregion(0, sys.alias("lo", ram, 0, 0x2000));
        box.addSubregion(0x2000, sys.alias("hi", ram, 0x2000, 0x2000));
        root.addSubregion(0, box);
        assertEquals(1, as.view().size(), "two aliases back to back onto contiguous RAM merge");
        log.clear();

        box.setUnmergeable(true); // the container, not the RAM: its subtree is unmergeable
        assertEquals(2, as.view().size());
        assertTrue(as.view().lookup(0).unmergeable() && as.view().lookup(0x2000).unmergeable());
        assertEquals(List.of("begin", "del pc.ram 0x0+0x4000", "add pc.ram 0x0+0x2000 unmergeable",
                "add pc.ram 0x2000+0x2000 unmergeable", "commit"), log);

        box.setUnmergeable(false);
        assertEquals(1, as.view().size());
        MemoryRegion through = sys.alias("through", ram, 0, 0x1000);
        root.addSubregion(0x10000, through);
        through.setUnmergeable(true); // an alias passes it to the target it renders
        assertTrue(as.view().lookup(0x10000).unmergeable());
        assertFalse(ram.unmergeable());
        assertFalse(as.view().lookup(0).unmergeable(), "the same RAM seen through another path stays mergeable");
    }

    @Test
    void anUnchangedOrDisabledUnmergeableFlagAsksForNoUpdate() {
        MemoryRegion ram = sys.ram("ram", block, 0, 0x1000);
        root.addSubregion(0, ram);
        log.clear();
        ram.setUnmergeable(false);
        assertEquals(List.of(), log, "unchanged: no transaction");
        ram.setEnabled(false);
        log.clear();
        ram.setUnmergeable(true);
        assertEquals(List.of(), log, "a disabled region's change sets no update pending");
        ram.setEnabled(true);
        assertTrue(as.view().lookup(0).unmergeable(), "it shows once the region is enabled");
    }
}
