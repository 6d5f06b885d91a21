package org.toyvm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;

/**
 * Views big enough for many chunks, changed one commit at a time: each view equals a fresh render,
 * answers lookups, keeps its chunks within their bounds, shares what did not change with the view
 * before, and a listener applying the diff holds the view.
 */
class FlatViewSharingTest {
    private static final long MIB = 1L << 20;

    @Test
    void incrementalViewsEqualFreshRendersAndShareUnchangedChunks() {
        MemorySystem sys = new MemorySystem();
        RamBlock block = new HostAddressSpace().map("ram", 4 * MIB);
        MemoryRegion root = sys.container("system", -1L);
        AddressSpace as = sys.addressSpace("memory", root);
        List<MemoryRegion> regions = new ArrayList<>();
        sys.transactionBegin();
        for (int i = 0; i < 1500; i++) {
            MemoryRegion r = sys.ram("r" + i, block, 0, 2 * MIB);
            root.addSubregion(i * 4 * MIB, r);
            regions.add(r);
        }
        sys.transactionCommit();
        TreeMap<Long, MemoryRegionSection> mirror = new TreeMap<>(Long::compareUnsigned);
        as.registerListener(new MemoryListener() {
            @Override
            public void regionAdd(MemoryRegionSection s) {
                assertNull(mirror.put(s.offsetWithinAddressSpace(), s));
            }

            @Override
            public void regionDel(MemoryRegionSection s) {
                assertEquals(s, mirror.remove(s.offsetWithinAddressSpace()));
            }
        });
        SplittableRandom rnd = new SplittableRandom(7);
        for (int step = 0; step < 300; step++) {
            FlatView before = as.view();
            MemoryRegion r = regions.get(rnd.nextInt(regions.size()));
            int what = rnd.nextInt(4);
            switch (what) {
                case 0 -> r.setEnabled(!r.enabled());
                case 1 -> r.setReadonly(!r.readonly());
                case 2 -> {
                    MemoryRegion hi = sys.ram("over" + step, block, 0, 3 * MIB);
                    root.addSubregionOverlap(r.addr() + MIB, hi, 1); // hides parts of two neighbours
                    regions.add(hi);
                }
                default -> {
                    if (r.parent() != null && r.priority() == 1) {
                        root.delSubregion(r);
                        regions.remove(r);
                    } else {
                        r.setDirtyLogMask(r.dirtyLogMask() ^ 1);
                    }
                }
            }
            FlatView v = as.view();
            assertEquals(FlatView.render(root).ranges(), v.ranges(), "step " + step);
            assertEquals(v.sections(), new ArrayList<>(mirror.values()), "listener after step " + step);
            checkChunks(v);
            int shared = 0;
            for (int k = 0; k < v.chunkCount(); k++) {
                for (int b = 0; b < before.chunkCount(); b++) {
                    if (v.chunk(k) == before.chunk(b)) {
                        shared++;
                    }
                }
            }
            assertTrue(shared >= v.chunkCount() - 4, "step " + step + ": only " + shared + " of "
                    + v.chunkCount() + " chunks shared after one change");
            for (FlatRange fr : v.ranges()) {
                assertSame(fr, v.lookup(fr.start()));
                assertSame(fr, v.lookup(fr.last()));
            }
        }
    }

    private static void checkChunks(FlatView v) {
        int total = 0;
        for (int k = 0; k < v.chunkCount(); k++) {
            int len = v.chunk(k).length;
            total += len;
            assertTrue(len >= 1 && len <= 2 * FlatView.CHUNK, "chunk " + k + " holds " + len);
        }
        assertEquals(v.size(), total);
        assertTrue(v.chunkCount() <= 2 * v.size() / (FlatView.CHUNK / 2) + 2, "chunks: " + v.chunkCount());
        for (int i = 0; i < v.size(); i += 37) {
            assertSame(v.ranges().get(i), v.rangeAt(i));
        }
    }

    @Test
    void aCommitThatChangesNothingKeepsTheView() {
        MemorySystem sys = new MemorySystem();
        RamBlock block = new HostAddressSpace().map("ram", 4 * MIB);
        MemoryRegion root = sys.container("system", -1L);
        AddressSpace as = sys.addressSpace("memory", root);
        for (int i = 0; i < 300; i++) {
            root.addSubregion(i * 4 * MIB, sys.ram("r" + i, block, 0, 2 * MIB));
        }
        FlatView v = as.view();
        MemoryRegion extra = sys.ram("extra", block, 0, MIB);
        root.addSubregion(300 * 4 * MIB, extra);
        root.delSubregion(extra);
        assertEquals(v.ranges(), as.view().ranges());
        for (int k = 0; k < as.view().chunkCount() - 1; k++) {
            assertSame(v.chunk(k), as.view().chunk(k), "chunk " + k + " shared after plug and unplug");
        }
    }
}
