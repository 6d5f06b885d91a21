package org.toyvm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;
import org.toyvm.memory.RandomTopology.Mutation;
import org.toyvm.memory.RandomTopology.RegionSpec;

class FlatViewPropertiesTest {
    /*
     * List sizes are uniform (QuickTheories' ofSizeBetween), and no edge values are mixed in: every
     * number here comes from a small range that uniform draws cover, and edge-case trees are mostly
     * one container that renders nothing.
     */

    /** 1 to 12 regions to add (some refused), each count equally likely. */
    static Gen<List<RegionSpec>> topologies() {
        return SourceDSL.lists().of(RandomTopology.regionSpecs()).ofSizeBetween(1, 12);
    }

    /** A starting tree of 1 to 6 regions (3.5 on average). */
    static Gen<List<RegionSpec>> startingTrees() {
        return SourceDSL.lists().of(RandomTopology.regionSpecs()).ofSizeBetween(1, 6);
    }

    /** 1 to 30 changes (15 on average), each checked on its own. */
    static Gen<List<Mutation>> changes() {
        return SourceDSL.lists().of(RandomTopology.mutations()).ofSizeBetween(1, 30);
    }

    /** The rendered FlatView agrees, address by address, with a brute-force walk of the tree. */
    @Test
    @Tag(Props.TAG)
    void flatViewMatchesPerAddressOracle(TestInfo info) {
        Props.qt(info, 1000).forAll(topologies()).checkAssert(FlatViewPropertiesTest::matchesOracle);
    }

    private static void matchesOracle(List<RegionSpec> specs) {
        RandomTopology t = new RandomTopology();
        for (RegionSpec spec : specs) {
            t.add(spec);
        }
        FlatView v = FlatView.render(t.root);
        for (long a = 0; a < RandomTopology.SPACE; a++) {
            Object[] want = RandomTopology.oracle(t.root, 0, a, false);
            FlatRange got = v.lookup(a);
            if (want == null) {
                assertNull(got, "address " + a + " should be unassigned");
            } else {
                assertTrue(got != null, "address " + a + " should be served by " + want[0]);
                assertEquals(want[0], got.region(), "region at " + a);
                assertEquals((long) want[1], got.offsetInRegion() + (a - got.start()), "offset at " + a);
                assertEquals(want[2], got.readonly(), "readonly at " + a);
            }
        }
        // Simplified: no two neighbours that could have merged.
        List<FlatRange> rs = v.ranges();
        for (int i = 1; i < rs.size(); i++) {
            assertTrue(!rs.get(i - 1).canMergeWith(rs.get(i)), "unmerged neighbours " + rs.get(i - 1) + " " + rs.get(i));
        }
    }

    /** A listener applying region_add/region_del always holds the current view; deletes precede adds. */
    @Test
    @Tag(Props.TAG)
    void listenersFollowTheViewInOrder(TestInfo info) {
        Props.qt(info, 300).forAll(startingTrees(), changes()).checkAssert(FlatViewPropertiesTest::listenersFollow);
    }

    private static void listenersFollow(List<RegionSpec> start, List<Mutation> changes) {
        RandomTopology t = new RandomTopology();
        for (RegionSpec spec : start) {
            t.add(spec);
        }
        AddressSpace as = t.sys.addressSpace("as", t.root);
        List<String> log = new ArrayList<>();
        Mirror low = new Mirror("low", -5, log);
        Mirror high = new Mirror("high", 10, log);
        as.registerListener(high);
        as.registerListener(low);
        assertEquals(as.view().sections(), low.sections());
        for (int step = 0; step < changes.size(); step++) {
            log.clear();
            Mutation change = changes.get(step);
            t.apply(change);
            int s = step;
            assertEquals(as.view().sections(), low.sections(), () -> "low listener after step " + s + ": " + change);
            assertEquals(as.view().sections(), high.sections(), () -> "high listener after step " + s + ": " + change);
            // Per commit: every del before every add; adds go low then high, dels high then low.
            List<List<String>> commits = new ArrayList<>();
            for (String e : log) {
                if (e.equals("low begin")) {
                    commits.add(new ArrayList<>());
                }
                commits.get(commits.size() - 1).add(e);
            }
            for (List<String> c : commits) {
                checkOneCommit(c);
            }
        }
        as.unregisterListener(low);
        assertTrue(low.sections().isEmpty());
        as.unregisterListener(low);
    }

    private static void checkOneCommit(List<String> c) {
        int lastDel = -1;
        int firstAdd = Integer.MAX_VALUE;
        for (int i = 0; i < c.size(); i++) {
            if (c.get(i).contains(" del ")) {
                lastDel = i;
            }
            if (c.get(i).contains(" add ") && i < firstAdd) {
                firstAdd = i;
            }
        }
        assertTrue(lastDel < firstAdd, "a delete came after an add in one commit: " + c);
        for (int i = 0; i + 1 < c.size(); i++) {
            String a = c.get(i);
            String b = c.get(i + 1);
            if (a.startsWith("low add ")) {
                assertEquals("high" + a.substring(3), b, "add goes low then high");
            }
            if (a.startsWith("high del ")) {
                assertEquals("low" + a.substring(4), b, "del goes high then low");
            }
        }
        assertEquals("low begin", c.get(0));
        assertEquals("high begin", c.get(1));
        assertEquals("high commit", c.get(c.size() - 1));
    }

    /** A listener that keeps its own copy of the view and logs callbacks. */
    static final class Mirror implements MemoryListener {
        final String tag;
        final int prio;
        final List<String> log;
        final TreeMap<Long, MemoryRegionSection> map = new TreeMap<>(Long::compareUnsigned);

        Mirror(String tag, int prio, List<String> log) {
            this.tag = tag;
            this.prio = prio;
            this.log = log;
        }

        @Override
        public int priority() {
            return prio;
        }

        @Override
        public void begin() {
            log.add(tag + " begin");
        }

        @Override
        public void commit() {
            log.add(tag + " commit");
        }

        @Override
        public void regionAdd(MemoryRegionSection s) {
            log.add(tag + " add " + s);
            MemoryRegionSection prev = map.put(s.offsetWithinAddressSpace(), s);
            if (prev != null) {
                throw new AssertionError(tag + ": add over a live section " + prev);
            }
        }

        @Override
        public void regionDel(MemoryRegionSection s) {
            log.add(tag + " del " + s);
            MemoryRegionSection prev = map.remove(s.offsetWithinAddressSpace());
            if (!s.equals(prev)) {
                throw new AssertionError(tag + ": del of " + s + " but held " + prev);
            }
        }

        List<MemoryRegionSection> sections() {
            return new ArrayList<>(map.values());
        }
    }
}
