package org.toyvm.vm.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The published cells as written in docs/migration.md §1, and how a figure is held against one. */
class PublishedTablesTest {
    @Test
    void theTablesHoldEveryPublishedCell() {
        assertEquals(3, PublishedTables.all().size());
        assertEquals(10, PublishedTables.siWeiLiu2023().rows().stream().mapToInt(r -> r.cells().size()).sum());
        assertEquals(4, PublishedTables.qemu101().rows().size());
        assertEquals(6, PublishedTables.tatulea2024().rows().stream().mapToInt(r -> r.cells().size()).sum());
        PublishedTables.Cell first = PublishedTables.siWeiLiu2023().rows().get(0).cells().get(0);
        assertEquals(20_000, first.lowMs());
        assertEquals(30_000, first.highMs());
        assertEquals(14_720, PublishedTables.qemu101().rows().get(2).cells().get(0).lowMs());
        assertEquals(1_253, PublishedTables.tatulea2024().rows().get(2).cells().get(1).lowMs());
    }

    @Test
    void aFigureIsHeldAgainstTheNearerEndOfARange() {
        PublishedTables.Cell range = new PublishedTables.Cell(Measure.SWITCH_WORST_DEVICE, 20_000, 30_000);
        assertEquals(1.0, range.ratio(25_000));
        assertEquals(1.5, range.ratio(45_000), 1e-9);
        assertEquals(0.5, range.ratio(10_000), 1e-9);
        assertTrue(range.within(45_000, 1.5));
        assertTrue(range.within(13_334, 1.5));
        assertFalse(range.within(13_000, 1.5));
        assertFalse(range.within(45_001, 1.5));
        assertEquals("20.0 s–30.0 s", range.published());
    }
}
