package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;
import org.toyvm.core.testing.Props;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * Random UPDATE / INVALIDATE / BATCH sequences with random resets and ack choices keep vhost-vdpa's
 * table, the parent's translation and the pinned count consistent with a simple reference model:
 * a map of page-aligned ranges, whole-entry invalidation, and the §6 rule for what a reset keeps.
 */
class KernelModelPropertiesTest {
    sealed interface Op permits Update, Invalidate, Begin, End, Reset {
    }

    record Update(int page, int pages) implements Op {
    }

    record Invalidate(int page, int pages) implements Op {
    }

    record Begin() implements Op {
    }

    record End() implements Op {
    }

    record Reset() implements Op {
    }

    static final int PAGES = 64;

    /** 0 to 40 operations; pages and lengths uniform, the last page and the longest range included. */
    static Gen<List<Op>> ops() {
        Gen<Integer> page = Generate.range(0, PAGES - 1);
        Gen<Integer> len = Generate.range(1, 8);
        Gen<Op> op = Generate.frequency(
                Pair.of(5, page.zip(len, Update::new)),
                Pair.of(3, page.zip(len, Invalidate::new)),
                Pair.of(1, Generate.constant(new Begin())),
                Pair.of(1, Generate.constant(new End())),
                Pair.of(1, Generate.constant(new Reset())));
        return SourceDSL.lists().of(op).ofSizeBetween(0, 40);
    }

    private static boolean overlaps(TreeMap<Long, Long> m, long first, long last) {
        var f = m.floorEntry(last);
        return f != null && f.getValue() >= first;
    }

    @Test
    @Tag(Props.TAG)
    void tableTranslationAndPinsFollowTheModel(TestInfo info) {
        Props.qt(info, 300).forAll(ops(), Generate.enumValues(KernelVersion.class), Generate.enumValues(ParentKind.class),
                Generate.booleans()).checkAssert(KernelModelPropertiesTest::followsTheModel);
    }

    private static void followsTheModel(List<Op> ops, KernelVersion v, ParentKind p, boolean persist) {
        KernelFixture k = new KernelFixture(v, p, PAGES * 4096L);
        boolean acked = persist && v.hasIotlbPersist();
        // mlx5 and vdpa_sim start with a 1:1 map; vdpa_sim before 6.3 starts (and resets) to nothing.
        boolean resetsToIdentity = p == ParentKind.MLX5 || (p == ParentKind.VDPA_SIM && v.vdpaSimPassthroughAtReset());
        k.ackBackend(acked);
        TreeMap<Long, Long> model = new TreeMap<>(); // vhost-vdpa's table: start page -> last page
        TreeMap<Long, Long> parentCopy = new TreeMap<>(); // what the parent translates
        boolean identity = resetsToIdentity;
        boolean inBatch = false;
        boolean asExists = false; // UPDATE and BATCH_BEGIN create address space 0; other types need it
        for (Op op : ops) {
            if (op instanceof Update u) {
                long first = u.page();
                long last = Math.min(PAGES - 1, u.page() + u.pages() - 1);
                boolean overlaps = overlaps(model, first, last);
                int rc = k.update(first * 4096, (last - first + 1) * 4096, first * 4096, 3).rc();
                asExists = true;
                assertEquals(overlaps ? -1 : 72, rc, op.toString());
                if (!overlaps) {
                    model.put(first, last);
                    if (p != ParentKind.MLX5) {
                        if (identity) {
                            parentCopy.clear(); // the first dma_map empties the identity map
                            identity = false;
                        }
                        parentCopy.put(first, last);
                    } else if (!inBatch) {
                        parentCopy = new TreeMap<>(model);
                        identity = false;
                    }
                }
            } else if (op instanceof Invalidate i) {
                long first = i.page();
                long last = i.page() + i.pages() - 1;
                assertEquals(asExists ? 72 : -1, k.invalidate(first * 4096, (last - first + 1) * 4096).rc());
                boolean unmapped = model.entrySet().removeIf(e -> e.getKey() <= last && e.getValue() >= first);
                if (p != ParentKind.MLX5) {
                    if (identity && unmapped) {
                        // vdpasim_dma_unmap (6.3+) empties the passthrough map before deleting the range
                        parentCopy.clear();
                        identity = false;
                    }
                    if (!identity) {
                        parentCopy.entrySet().removeIf(e -> e.getKey() <= last && e.getValue() >= first);
                    }
                } else if (!inBatch && asExists) {
                    parentCopy = new TreeMap<>(model);
                    identity = false;
                }
            } else if (op instanceof Begin) {
                assertEquals(72, k.write(VhostMsgV2.batchBegin(0)).rc());
                inBatch = true;
                asExists = true;
            } else if (op instanceof End) {
                assertEquals(asExists ? 72 : -1, k.write(VhostMsgV2.batchEnd(0)).rc());
                if (inBatch && p == ParentKind.MLX5) {
                    parentCopy = new TreeMap<>(model);
                    identity = false;
                }
                inBatch = inBatch && !asExists;
            } else {
                k.dev.setStatus(0);
                if (p != ParentKind.PLATFORM && !acked) {
                    parentCopy.clear();
                    identity = resetsToIdentity;
                }
            }
            long pages = 0;
            for (var e : model.entrySet()) {
                pages += e.getValue() - e.getKey() + 1;
            }
            assertEquals(pages, k.mm.pinnedPages(), "pinned pages after " + op);
            assertEquals(pages, k.ram.pins().pinnedPages());
            assertEquals(model.size(), asExists ? k.dev.iotlb(0).size() : 0);
            for (int pg = 0; pg < PAGES; pg++) {
                DmaEntry seen = k.seen(pg * 4096L);
                if (identity) {
                    assertEquals(true, seen != null && seen.identity(), "page " + pg + " 1:1 after " + op);
                } else if (overlaps(parentCopy, pg, pg)) {
                    assertEquals(true, seen != null && !seen.identity(), "page " + pg + " mapped after " + op);
                    assertEquals(k.ram.base().value() + pg * 4096L, seen.translate(pg * 4096L));
                } else {
                    assertEquals(true, seen == null, "page " + pg + " unmapped after " + op);
                }
            }
        }
        k.dev.close();
        assertEquals(0, k.mm.pinnedPages());
    }
}
