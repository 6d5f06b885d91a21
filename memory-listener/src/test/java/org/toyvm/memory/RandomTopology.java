package org.toyvm.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;

/** Builds random region trees in a 256-byte address space, through the public API (refusals skipped). */
final class RandomTopology {
    static final int SPACE = 256;

    final MemorySystem sys = new MemorySystem();
    final RamBlock block = new HostAddressSpace().map("ram", 4096);
    final MemoryRegion root = sys.container("root", SPACE);
    final List<MemoryRegion> regions = new ArrayList<>();
    final Random rnd;
    private int n;

    RandomTopology(long seed) {
        rnd = new Random(seed);
        regions.add(root);
    }

    static final MemoryRegionOps OPS = new MemoryRegionOps() {
        @Override
        public long read(long offset, int size) {
            return offset;
        }

        @Override
        public void write(long offset, long value, int size) {
        }
    };

    MemoryRegion newRegion() {
        int size = 1 + rnd.nextInt(rnd.nextBoolean() ? 32 : SPACE);
        String name = "r" + (n++);
        return switch (rnd.nextInt(6)) {
            case 0, 1 -> sys.container(name, size);
            case 2 -> sys.ram(name, block, rnd.nextInt(1024), size);
            case 3 -> sys.rom(name, block, rnd.nextInt(1024), size);
            case 4 -> sys.io(name, size, OPS);
            default -> sys.alias(name, regions.get(rnd.nextInt(regions.size())), rnd.nextInt(64), size);
        };
    }

    /** Tries to add a new region somewhere; answers whether it was accepted. */
    boolean addRandom() {
        MemoryRegion r = newRegion();
        List<MemoryRegion> holders = regions.stream().filter(x -> x.kind() != RegionKind.ALIAS).toList();
        MemoryRegion into = holders.get(rnd.nextInt(holders.size()));
        try {
            into.addSubregionOverlap(rnd.nextInt(SPACE), r, rnd.nextInt(4) - 1);
        } catch (IllegalArgumentException refused) {
            return false;
        }
        regions.add(r);
        if (rnd.nextInt(5) == 0) {
            r.setEnabled(false);
        }
        if (rnd.nextInt(6) == 0) {
            r.setReadonly(true);
        }
        return true;
    }

    /** One random change of an existing topology (may be refused). */
    void mutateRandom() {
        MemoryRegion r = regions.get(rnd.nextInt(regions.size()));
        try {
            switch (rnd.nextInt(6)) {
                case 0 -> addRandom();
                case 1 -> {
                    if (r.parent() != null) {
                        r.parent().delSubregion(r);
                        regions.remove(r);
                        dropDetached();
                    }
                }
                case 2 -> r.setEnabled(!r.enabled());
                case 3 -> r.setReadonly(!r.readonly());
                case 4 -> r.setAddress(rnd.nextInt(SPACE));
                default -> {
                    if (r.kind() == RegionKind.ALIAS) {
                        r.setAliasOffset(rnd.nextInt(64));
                    } else {
                        r.setSize(1 + rnd.nextInt(SPACE));
                    }
                }
            }
        } catch (IllegalArgumentException refused) {
            // refused changes leave everything as it was: checked by the callers
        }
    }

    /** Forgets regions no longer reachable from the root (their subtree was removed). */
    private void dropDetached() {
        regions.removeIf(x -> x != root && !attached(x));
    }

    private boolean attached(MemoryRegion r) {
        MemoryRegion p = r;
        while (p.parent() != null) {
            p = p.parent();
        }
        return p == root;
    }

    /** The brute-force oracle: which region serves {@code addr}, at which offset, and read-only or not. */
    static Object[] oracle(MemoryRegion mr, long base, long addr, boolean readonly) {
        if (!mr.enabled()) {
            return null;
        }
        long start = base + mr.addr();
        long pos = addr - start;
        if (pos < 0 || pos > mr.last()) {
            return null;
        }
        readonly |= mr.readonly();
        if (mr.kind() == RegionKind.ALIAS) {
            MemoryRegion t = mr.aliasTarget();
            // The alias window: position pos in the alias is offset (alias_offset + pos) in the target.
            return oracle(t, start - t.addr() - mr.aliasOffset(), addr, readonly);
        }
        for (MemoryRegion sub : mr.subregions()) {
            Object[] r = oracle(sub, start, addr, readonly);
            if (r != null) {
                return r;
            }
        }
        return mr.kind().terminates() ? new Object[] {mr, pos, readonly} : null;
    }
}
