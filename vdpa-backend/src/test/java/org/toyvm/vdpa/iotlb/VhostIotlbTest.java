package org.toyvm.vdpa.iotlb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.addr.U64;
import org.toyvm.core.testing.Props;
import org.toyvm.hw.api.DmaEntry;

/** The IOTLB's costs (changes never rebuild the lookup index) and its answers against a linear oracle. */
class VhostIotlbTest {
    private static final long PAGE = 4096;

    @Test
    void perPageInsertsInterleavedWithLookupsNeverRebuildTheIndex() {
        // The shape of a 1 GiB shmem UPDATE: one insert per page, each followed by a lookup of the
        // new entry (what the kernel model did before: find() after add()).
        VhostIotlb t = new VhostIotlb();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            DmaEntry e = t.add(i * PAGE, i * PAGE + PAGE - 1, 0x7f00_0000_0000L + i * PAGE, DmaEntry.PERM_RW);
            assertSame(e, t.find(i * PAGE + 7));
            assertSame(e, t.entryAt(i * PAGE));
        }
        // Only while the table is tiny (64 entries) is the index rebuilt on the next lookup; after
        // that the 19,936 further inserts rebuild nothing.
        long small = t.indexBuilds();
        assertTrue(small <= 64, "builds while small: " + small);
        // A steady stream of lookups pays for one rebuild, then runs on the flat index.
        for (int i = 0; i < 3 * n; i++) {
            assertEquals(0x7f00_0000_0000L + (i % n) * PAGE, t.find((i % n) * PAGE).addr());
        }
        assertEquals(small + 1, t.indexBuilds());
        // Removing every other entry, each followed by a lookup: again no rebuild.
        for (int i = 0; i < n; i += 2) {
            t.remove(t.entryAt(i * PAGE));
            assertNull(t.find(i * PAGE));
        }
        assertEquals(small + 1, t.indexBuilds());
    }

    @Test
    void journalIsBoundedAndAReplicaTooFarBehindCopies() {
        VhostIotlb t = new VhostIotlb();
        VhostIotlb replica = t.copy();
        for (int i = 0; i < 5000; i++) {
            t.add(i * PAGE, i * PAGE + PAGE - 1, 0, DmaEntry.PERM_RW);
            t.remove(t.entryAt(i * PAGE));
        }
        assertTrue(!t.replayInto(replica, 0), "10,000 changes to an empty table are not kept");
        VhostIotlb fresh = t.copy();
        long seq = t.changeSeq();
        t.add(0, PAGE - 1, 0, DmaEntry.PERM_RW);
        assertTrue(t.replayInto(fresh, seq));
        assertEquals(List.copyOf(t.entries()), List.copyOf(fresh.entries()));
        t.clear();
        assertTrue(!t.replayInto(fresh, seq + 1), "clear is not journaled entry by entry");
    }

    @Test
    void fullRangeIsTwoEntriesAndAddAnswersTheFirst() {
        VhostIotlb t = new VhostIotlb();
        DmaEntry low = t.add(0, U64.MAX, 0x1000, DmaEntry.PERM_RO);
        assertEquals(2, t.size());
        assertEquals(0, low.start());
        assertEquals(VhostIotlb.FULL_RANGE_SPLIT, low.last());
        assertEquals(0x1000 + VhostIotlb.FULL_RANGE_SPLIT + 1, t.find(U64.MAX - U64.MAX / 2).addr());
        assertEquals(U64.MAX, t.totalBytes(), "2^64 bytes saturate");
    }

    @Test
    void badRangesAreRefusedBeforeAnythingChanges() {
        VhostIotlb t = new VhostIotlb();
        t.add(0x1000, 0x1fff, 0, DmaEntry.PERM_RW);
        assertThrows(IllegalArgumentException.class, () -> t.add(0x2000, 0x1fff, 0, 3), "last < start");
        assertThrows(IllegalArgumentException.class, () -> t.add(0x1800, 0x2fff, 0, 3), "overlap");
        assertEquals(1, t.size());
    }

    @Test
    void wrappedQueriesAnswerOnlyTheEntryHoldingBothEnds() {
        // INTERVAL_TREE_DEFINE's test, start <= node.last && node.start <= last, taken as it stands.
        VhostIotlb t = new VhostIotlb();
        t.add(0x1000, 0x2fff, 0, DmaEntry.PERM_RW);
        t.add(0x4000, 0x4fff, 0, DmaEntry.PERM_RW);
        assertEquals(List.of(t.entryAt(0x1000)), t.overlapping(0x2000, 0x1fff), "size 0 inside an entry");
        assertEquals(List.of(), t.overlapping(0x1000, 0xfff), "size 0 at an entry's start");
        assertEquals(List.of(), t.overlapping(0x4000, 0x3fff));
        assertEquals(2, t.overlapping(0, U64.MAX).size());
    }

    /** One operation of a random sequence. */
    record Op(int kind, long page, int pages) {
    }

    static Gen<List<Op>> ops() {
        Gen<Op> op = Generate.range(0, 3).zip(Generate.longRange(0, 400), Generate.range(1, 4), Op::new);
        return SourceDSL.lists().of(op).ofSizeBetween(1, 600);
    }

    /** Every answer of find/overlapping equals a linear scan, whatever mix of changes and lookups. */
    @Test
    @Tag(Props.TAG)
    void answersMatchALinearOracle(TestInfo info) {
        Props.qt(info, 200).forAll(ops()).checkAssert(VhostIotlbTest::matchesOracle);
    }

    private static void matchesOracle(List<Op> ops) {
        VhostIotlb t = new VhostIotlb();
        List<DmaEntry> oracle = new ArrayList<>();
        VhostIotlb replica = t.copy();
        long replicaSeq = t.changeSeq();
        for (Op o : ops) {
            long start = o.page() * PAGE;
            long last = start + o.pages() * PAGE - 1;
            switch (o.kind()) {
                case 0, 1 -> {
                    if (oracle.stream().noneMatch(e -> U64.le(e.start(), last) && U64.ge(e.last(), start))) {
                        oracle.add(t.add(start, last, start ^ 0x5a5a000, DmaEntry.PERM_RW));
                    }
                }
                case 2 -> {
                    List<DmaEntry> gone = t.removeOverlapping(start, last);
                    oracle.removeAll(gone);
                    assertTrue(oracle.stream().noneMatch(e -> U64.le(e.start(), last) && U64.ge(e.last(), start)));
                }
                default -> {
                }
            }
            // A copy caught up by replay equals the table (what mlx5's set_map relies on).
            if (o.kind() == 3) {
                if (!t.replayInto(replica, replicaSeq)) {
                    replica = t.copy();
                }
                replicaSeq = t.changeSeq();
                assertEquals(List.copyOf(t.entries()), List.copyOf(replica.entries()));
                assertEquals(t.totalBytes(), replica.totalBytes());
            }
            assertEquals(oracle.stream().mapToLong(e -> e.last() - e.start() + 1).sum(), t.totalBytes());
            for (long probe = start - PAGE; probe <= last + PAGE; probe += PAGE / 2) {
                long p = probe;
                DmaEntry want = oracle.stream().filter(e -> e.contains(p)).findFirst().orElse(null);
                assertSame(want, t.find(p), "find " + U64.hex(p));
            }
            assertEquals(oracle.size(), t.size());
        }
    }
}
