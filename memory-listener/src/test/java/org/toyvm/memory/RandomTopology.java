package org.toyvm.memory;

import java.util.ArrayList;
import java.util.List;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;

/**
 * A region tree in a 256-byte address space built, through the public API (refusals skipped), from
 * QuickTheories-generated specs: {@link RegionSpec}s to add and {@link Mutation}s to apply. Everything is a
 * plain value, so QuickTheories shrinks a failing topology to few regions with small sizes and addresses; a
 * "pick" (which parent, which region, which alias target) is an index taken modulo the live list, so
 * any shrunk value still names a region.
 */
final class RandomTopology {
    static final int SPACE = 256;

    final MemorySystem sys = new MemorySystem();
    final RamBlock block = new HostAddressSpace().map("ram", 4096);
    final MemoryRegion root = sys.container("root", SPACE);
    final List<MemoryRegion> regions = new ArrayList<>();
    private int n;

    RandomTopology() {
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

    /** The kinds of region a spec creates (containers twice as often, as a tree needs inner nodes). */
    enum Kind { CONTAINER, RAM, ROM, IO, ALIAS }

    /** What a new region is: kind, size, RAM/ROM offset into the block, alias target pick and offset. */
    record Shape(Kind kind, int size, int blockOffset, int aliasTarget, int aliasOffset) {
    }

    /** Where a new region goes: parent pick (among non-aliases), address, priority, and its flags after the add. */
    record Placement(int parent, int addr, int priority, boolean disabled, boolean readonly) {
    }

    record RegionSpec(Shape shape, Placement at) {
    }

    /** One change of an existing topology; {@code target} picks the region. */
    sealed interface Mutation permits Add, Delete, ToggleEnabled, ToggleReadonly, Move, Reshape {
    }

    record Add(RegionSpec spec) implements Mutation {
    }

    record Delete(int target) implements Mutation {
    }

    record ToggleEnabled(int target) implements Mutation {
    }

    record ToggleReadonly(int target) implements Mutation {
    }

    record Move(int target, int addr) implements Mutation {
    }

    /** An alias gets {@code aliasOffset}, anything else {@code size}. */
    record Reshape(int target, int aliasOffset, int size) implements Mutation {
    }

    /** Uniform in [min, max] (QuickTheories' ranges are uniform; they shrink towards min). */
    private static Gen<Integer> uniform(int min, int max) {
        return Generate.range(min, max);
    }

    private static Gen<Integer> pick() {
        return uniform(0, 63);
    }

    /** Sizes: half small (1..32, so many regions fit side by side), half up to the whole space. */
    private static Gen<Integer> size() {
        return Generate.oneOf(uniform(1, 32), uniform(1, SPACE));
    }

    /** {@code true} with weight {@code yes} against {@code no}. */
    private static Gen<Boolean> weighted(int no, int yes) {
        return Generate.frequency(Pair.of(no, Generate.constant(false)), Pair.of(yes, Generate.constant(true)));
    }

    static Gen<RegionSpec> regionSpecs() {
        Gen<Kind> kind = Generate.frequency(Pair.of(2, Generate.constant(Kind.CONTAINER)),
                Pair.of(1, Generate.constant(Kind.RAM)), Pair.of(1, Generate.constant(Kind.ROM)),
                Pair.of(1, Generate.constant(Kind.IO)), Pair.of(1, Generate.constant(Kind.ALIAS)));
        Gen<Shape> shape = kind.zip(size(), uniform(0, 1023), pick(), uniform(0, 63), Shape::new);
        Gen<Placement> at = pick().zip(uniform(0, SPACE - 1), uniform(-1, 2), weighted(4, 1), weighted(5, 1),
                Placement::new);
        return shape.zip(at, RegionSpec::new);
    }

    static Gen<Mutation> mutations() {
        return Generate.oneOf(
                regionSpecs().map(Add::new),
                pick().map(Delete::new),
                pick().map(ToggleEnabled::new),
                pick().map(ToggleReadonly::new),
                pick().zip(uniform(0, SPACE - 1), Move::new),
                pick().zip(uniform(0, 63), uniform(1, SPACE), Reshape::new));
    }

    private static <T> T pickFrom(List<T> list, int pick) {
        return list.get(pick % list.size());
    }

    MemoryRegion newRegion(Shape s) {
        String name = "r" + (n++);
        return switch (s.kind()) {
            case CONTAINER -> sys.container(name, s.size());
            case RAM -> sys.ram(name, block, s.blockOffset(), s.size());
            case ROM -> sys.rom(name, block, s.blockOffset(), s.size());
            case IO -> sys.io(name, s.size(), OPS);
            case ALIAS -> sys.alias(name, pickFrom(regions, s.aliasTarget()), s.aliasOffset(), s.size());
        };
    }

    /** Adds the region the spec describes; answers whether it was accepted. */
    boolean add(RegionSpec spec) {
        MemoryRegion r = newRegion(spec.shape());
        List<MemoryRegion> holders = regions.stream().filter(x -> x.kind() != RegionKind.ALIAS).toList();
        MemoryRegion into = pickFrom(holders, spec.at().parent());
        try {
            into.addSubregionOverlap(spec.at().addr(), r, spec.at().priority());
        } catch (IllegalArgumentException refused) {
            return false;
        }
        regions.add(r);
        if (spec.at().disabled()) {
            r.setEnabled(false);
        }
        if (spec.at().readonly()) {
            r.setReadonly(true);
        }
        return true;
    }

    /** Applies one change (it may be refused: refused changes leave everything as it was, checked by the callers). */
    void apply(Mutation m) {
        try {
            if (m instanceof Add a) {
                add(a.spec());
            } else if (m instanceof Delete d) {
                MemoryRegion r = pickFrom(regions, d.target());
                if (r.parent() != null) {
                    r.parent().delSubregion(r);
                    regions.remove(r);
                    dropDetached();
                }
            } else if (m instanceof ToggleEnabled t) {
                MemoryRegion r = pickFrom(regions, t.target());
                r.setEnabled(!r.enabled());
            } else if (m instanceof ToggleReadonly t) {
                MemoryRegion r = pickFrom(regions, t.target());
                r.setReadonly(!r.readonly());
            } else if (m instanceof Move mv) {
                pickFrom(regions, mv.target()).setAddress(mv.addr());
            } else if (m instanceof Reshape rs) {
                MemoryRegion r = pickFrom(regions, rs.target());
                if (r.kind() == RegionKind.ALIAS) {
                    r.setAliasOffset(rs.aliasOffset());
                } else {
                    r.setSize(rs.size());
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
