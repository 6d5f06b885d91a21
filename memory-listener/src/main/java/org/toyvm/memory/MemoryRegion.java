package org.toyvm.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.RamBlock;

/**
 * A QEMU MemoryRegion: a container, RAM, ROM, ram_device, rom_device, MMIO region or alias, placed
 * in a parent container at an address with a priority.
 *
 * <p>Sizes follow QEMU: a size argument of {@link U64#MAX} means 2^64 (the whole address space);
 * internally the extent is kept as an inclusive {@code last} offset. Every mutation runs in its own
 * transaction of the owning {@link MemorySystem}, and is validated before anything changes: a
 * refused call leaves the topology, the views and the listeners as they were.
 */
public final class MemoryRegion {
    private final MemorySystem system;
    private final String name;
    private final RegionKind kind;
    private final RamBlock ramBlock;
    private final long ramOffset;
    private final MemoryRegionOps ops;
    private final MemoryRegion aliasTarget;

    private long last; // size - 1; U64.MAX for 2^64
    private MemoryRegion parent;
    private long addr;
    private int priority;
    private boolean enabled = true;
    private boolean readonly;
    private boolean romdMode = true;
    private boolean nonvolatile;
    private boolean unmergeable;
    private int dirtyLogMask;
    private long aliasOffset;
    private long addSeq; // order of (re-)addition: among equal priorities the newest comes first
    private final List<MemoryRegion> subregions = new ArrayList<>();
    // Kept beside the list so that rendering a leaf reads this object only, not its empty list.
    private int subregionCount;

    MemoryRegion(MemorySystem system, String name, RegionKind kind, long size, RamBlock ramBlock, long ramOffset,
            MemoryRegionOps ops, MemoryRegion aliasTarget, long aliasOffset) {
        this.system = system;
        this.name = name;
        this.kind = kind;
        this.last = lastOf(name, size);
        this.ramBlock = ramBlock;
        this.ramOffset = ramOffset;
        this.ops = ops;
        this.aliasTarget = aliasTarget;
        this.aliasOffset = aliasOffset;
        this.readonly = kind == RegionKind.ROM;
    }

    static long lastOf(String name, long size) {
        if (size == 0) {
            throw new IllegalArgumentException("memory region '" + name + "' has size 0");
        }
        return size == U64.MAX ? U64.MAX : size - 1;
    }

    public String name() {
        return name;
    }

    public RegionKind kind() {
        return kind;
    }

    public MemorySystem system() {
        return system;
    }

    /** Size in bytes; {@link U64#MAX} stands for 2^64 (see {@link #isFullSize()}). */
    public long size() {
        return last == U64.MAX ? U64.MAX : last + 1;
    }

    /** Inclusive last offset of the region. */
    public long last() {
        return last;
    }

    public boolean isFullSize() {
        return last == U64.MAX;
    }

    public long addr() {
        return addr;
    }

    public int priority() {
        return priority;
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean readonly() {
        return readonly;
    }

    public boolean romdMode() {
        return romdMode;
    }

    public boolean nonvolatile() {
        return nonvolatile;
    }

    public boolean unmergeable() {
        return unmergeable;
    }

    public int dirtyLogMask() {
        return dirtyLogMask;
    }

    public MemoryRegion parent() {
        return parent;
    }

    public MemoryRegion aliasTarget() {
        return aliasTarget;
    }

    public long aliasOffset() {
        return aliasOffset;
    }

    public RamBlock ramBlock() {
        return ramBlock;
    }

    /** Offset of this region's first byte within its RAM block. */
    public long ramOffset() {
        return ramOffset;
    }

    public MemoryRegionOps ops() {
        return ops;
    }

    /** QEMU's memory_region_is_ram: RAM, ROM and ram_device. */
    public boolean isRam() {
        return kind.isRam();
    }

    public boolean isRamDevice() {
        return kind == RegionKind.RAM_DEVICE;
    }

    public boolean isRomDevice() {
        return kind == RegionKind.ROM_DEVICE;
    }

    public boolean isIommu() {
        return false;
    }

    /** Subregions, highest priority first, newest first among equal priorities. */
    public List<MemoryRegion> subregions() {
        return Collections.unmodifiableList(subregions);
    }

    /** The live subregion list (render walks it by index: no wrapper or iterator per region). */
    List<MemoryRegion> subregionList() {
        return subregions;
    }

    boolean hasSubregions() {
        return subregionCount != 0;
    }

    long addSeq() {
        return addSeq;
    }

    // ---------------------------------------------------------------- mutations

    /** memory_region_add_subregion: priority 0. */
    public void addSubregion(long offset, MemoryRegion sub) {
        addSubregionOverlap(offset, sub, 0);
    }

    /** memory_region_add_subregion_overlap. */
    public void addSubregionOverlap(long offset, MemoryRegion sub, int prio) {
        if (sub.system != system) {
            throw new IllegalArgumentException("region '" + sub.name + "' belongs to another machine's memory system");
        }
        if (sub == this) {
            throw new IllegalArgumentException("region '" + name + "' cannot be a subregion of itself");
        }
        if (sub.parent != null) {
            throw new IllegalArgumentException("region '" + sub.name + "' is already a subregion of '"
                    + sub.parent.name + "'; cannot add it to '" + name + "'");
        }
        if (kind == RegionKind.ALIAS) {
            throw new IllegalArgumentException("alias '" + name + "' cannot hold subregions");
        }
        checkFits(sub.name, offset, sub.last);
        if (reaches(sub, this)) {
            throw new IllegalArgumentException("adding '" + sub.name + "' to '" + name
                    + "' would make a cycle: '" + name + "' is reachable from '" + sub.name + "'");
        }
        system.transactionBegin();
        try {
            sub.parent = this;
            sub.addr = offset;
            sub.priority = prio;
            insertByPriority(sub);
            system.markUpdate();
        } finally {
            system.transactionCommit();
        }
    }

    /**
     * QEMU's memory_region_update_container_subregions (system/memory.c): the subregion goes before
     * the first sibling whose priority is lower than or equal to its own, so among equal priorities
     * the newest comes first and wins where they overlap.
     */
    private void insertByPriority(MemoryRegion sub) {
        sub.addSeq = system.nextSeq();
        int i = 0;
        while (i < subregions.size() && subregions.get(i).priority > sub.priority) {
            i++;
        }
        subregions.add(i, sub);
        subregionCount = subregions.size();
    }

    /** memory_region_del_subregion. */
    public void delSubregion(MemoryRegion sub) {
        if (sub.parent != this) {
            throw new IllegalArgumentException("region '" + sub.name + "' is not a subregion of '" + name + "'"
                    + (sub.parent == null ? "" : " (its parent is '" + sub.parent.name + "')"));
        }
        system.transactionBegin();
        try {
            subregions.remove(sub);
            subregionCount = subregions.size();
            sub.parent = null;
            system.markUpdate();
        } finally {
            system.transactionCommit();
        }
    }

    public void setEnabled(boolean on) {
        if (on == enabled) {
            return;
        }
        mutate(() -> enabled = on);
    }

    public void setReadonly(boolean ro) {
        if (ro == readonly) {
            return;
        }
        mutate(() -> readonly = ro);
    }

    /** rom_device: romd mode on reads the RAM directly, off sends reads to the callbacks. */
    public void setRomdMode(boolean on) {
        if (on == romdMode) {
            return;
        }
        mutate(() -> romdMode = on);
    }

    public void setNonvolatile(boolean on) {
        mutate(() -> nonvolatile = on);
    }

    /**
     * memory_region_set_unmergeable (QEMU 8.2+): an unchanged flag is no transaction at all, and a
     * change of a disabled region asks for no update. The flag covers everything rendered through
     * the region: its subregions and, for an alias, its target (see {@link FlatRenderer}).
     */
    public void setUnmergeable(boolean on) {
        if (on == unmergeable) {
            return;
        }
        system.transactionBegin();
        try {
            unmergeable = on;
            if (enabled) {
                system.markUpdate();
            }
        } finally {
            system.transactionCommit();
        }
    }

    /** Dirty logging clients (a bit mask); changes show as log_start/log_stop to listeners. */
    public void setDirtyLogMask(int mask) {
        mutate(() -> dirtyLogMask = mask);
    }

    /**
     * memory_region_set_address (system/memory.c, QEMU 7.0 to master): the same address is no
     * transaction at all; another one deletes the region from its container and adds it again
     * (memory_region_readd_subregion → memory_region_del_subregion +
     * memory_region_add_subregion_common), so it is re-inserted before the first sibling of lower or
     * equal priority: it becomes the newest among its equal priorities and wins their overlaps,
     * whatever its rank before. A region without a container only takes the address (QEMU renders
     * it at the next commit; here the views are brought up to date at once).
     */
    public void setAddress(long newAddr) {
        if (parent != null) {
            parent.checkFits(name, newAddr, last);
        }
        if (newAddr == addr) {
            return;
        }
        MemoryRegion container = parent;
        system.transactionBegin();
        try {
            addr = newAddr;
            if (container != null) {
                container.subregions.remove(this);
                container.insertByPriority(this);
            }
            system.markUpdate();
        } finally {
            system.transactionCommit();
        }
    }

    public void setSize(long size) {
        long newLast = lastOf(name, size);
        if (parent != null) {
            parent.checkFits(name, addr, newLast);
        }
        for (MemoryRegion s : subregions) {
            if (U64.addOverflows(s.addr, s.last) || U64.gt(s.addr + s.last, newLast)) {
                throw new IllegalArgumentException("resizing '" + name + "' to " + U64.hex(size)
                        + " would leave subregion '" + s.name + "' outside it");
            }
        }
        if (ramBlock != null && (U64.addOverflows(ramOffset, newLast) || !ramBlock.fits(ramOffset, newLast + 1))) {
            throw new IllegalArgumentException("resizing '" + name + "' to " + U64.hex(size)
                    + " would pass the end of RAM block '" + ramBlock.name() + "'");
        }
        mutate(() -> last = newLast);
    }

    public void setAliasOffset(long offset) {
        if (kind != RegionKind.ALIAS) {
            throw new IllegalArgumentException("region '" + name + "' is not an alias");
        }
        mutate(() -> aliasOffset = offset);
    }

    private void mutate(Runnable change) {
        system.transactionBegin();
        try {
            change.run();
            system.markUpdate();
        } finally {
            system.transactionCommit();
        }
    }

    /** Refuses a child of inclusive extent {@code [offset, offset+childLast]} that wraps or passes our end. */
    private void checkFits(String child, long offset, long childLast) {
        if (U64.addOverflows(offset, childLast)) {
            throw new IllegalArgumentException("region '" + child + "' at " + U64.hex(offset) + " of size "
                    + (childLast == U64.MAX ? "2^64" : U64.hex(childLast + 1)) + " wraps past 2^64");
        }
        if (U64.gt(offset + childLast, last)) {
            throw new IllegalArgumentException("region '" + child + "' at " + U64.hex(offset) + " (last byte "
                    + U64.hex(offset + childLast) + ") does not fit in '" + name + "' of size "
                    + (last == U64.MAX ? "2^64" : U64.hex(last + 1)));
        }
    }

    /** True when {@code to} can be reached from {@code from} through subregions and alias targets. */
    static boolean reaches(MemoryRegion from, MemoryRegion to) {
        Deque<MemoryRegion> work = new ArrayDeque<>();
        Set<MemoryRegion> seen = new HashSet<>();
        work.push(from);
        while (!work.isEmpty()) {
            MemoryRegion r = work.pop();
            if (r == to) {
                return true;
            }
            if (!seen.add(r)) {
                continue;
            }
            work.addAll(r.subregions);
            if (r.aliasTarget != null) {
                work.push(r.aliasTarget);
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "MemoryRegion[" + name + " " + kind + "]";
    }
}
