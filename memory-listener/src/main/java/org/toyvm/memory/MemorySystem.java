package org.toyvm.memory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.toyvm.core.mem.RamBlock;

/**
 * One machine's memory system: its regions, address spaces, listeners and transactions. Nothing is
 * static: two machines in one JVM never see each other's transactions.
 *
 * <p>Transactions nest; at the outermost commit with an update pending every address space's view
 * is rebuilt, every listener's {@code begin} runs (ascending priority), each address space is diffed
 * (a delete pass over old ranges, listeners in reverse order, then an add/nop pass, forward), and
 * every listener's {@code commit} runs (ascending).
 */
public final class MemorySystem {
    private final List<AddressSpace> spaces = new ArrayList<>();
    /** Every registered listener, ascending priority, ties in registration order. */
    private final List<MemoryListener> global = new ArrayList<>();
    private final Map<MemoryListener, AddressSpace> registeredOn = new IdentityHashMap<>();
    private int depth;
    private boolean pending;
    private long seq;
    private long commits;
    /** Scratch arrays for render and simplify, reused by every commit of this system. */
    private final FlatRenderer renderer = new FlatRenderer();
    private final FlatViewBuilder builder = new FlatViewBuilder();

    // ---------------------------------------------------------------- regions

    public MemoryRegion container(String name, long size) {
        return new MemoryRegion(this, name, RegionKind.CONTAINER, size, null, 0, null, null, 0);
    }

    /** RAM backed by {@code block} from {@code blockOffset}. */
    public MemoryRegion ram(String name, RamBlock block, long blockOffset, long size) {
        checkBlock(name, block, blockOffset, size);
        return new MemoryRegion(this, name, RegionKind.RAM, size, block, blockOffset, null, null, 0);
    }

    public MemoryRegion rom(String name, RamBlock block, long blockOffset, long size) {
        checkBlock(name, block, blockOffset, size);
        return new MemoryRegion(this, name, RegionKind.ROM, size, block, blockOffset, null, null, 0);
    }

    /**
     * Device memory mapped into the guest (memory_region_init_ram_device_ptr). With {@code ops},
     * accesses through the memory API go to them (as QEMU's ram_device ops reach the device).
     */
    public MemoryRegion ramDevice(String name, RamBlock block, long size, MemoryRegionOps ops) {
        checkBlock(name, block, 0, size);
        return new MemoryRegion(this, name, RegionKind.RAM_DEVICE, size, block, 0, ops, null, 0);
    }

    public MemoryRegion romDevice(String name, RamBlock block, long size, MemoryRegionOps ops) {
        checkBlock(name, block, 0, size);
        if (ops == null) {
            throw new IllegalArgumentException("rom_device '" + name + "' needs callbacks for writes");
        }
        return new MemoryRegion(this, name, RegionKind.ROM_DEVICE, size, block, 0, ops, null, 0);
    }

    public MemoryRegion io(String name, long size, MemoryRegionOps ops) {
        if (ops == null) {
            throw new IllegalArgumentException("MMIO region '" + name + "' needs callbacks");
        }
        return new MemoryRegion(this, name, RegionKind.IO, size, null, 0, ops, null, 0);
    }

    /** A window {@code [offset, offset+size)} of {@code target}. */
    public MemoryRegion alias(String name, MemoryRegion target, long offset, long size) {
        if (target == null) {
            throw new IllegalArgumentException("alias '" + name + "' needs a target region");
        }
        if (target.system() != this) {
            throw new IllegalArgumentException("alias '" + name + "' targets '" + target.name()
                    + "' of another machine's memory system");
        }
        return new MemoryRegion(this, name, RegionKind.ALIAS, size, null, 0, null, target, offset);
    }

    private static void checkBlock(String name, RamBlock block, long offset, long size) {
        if (block == null) {
            throw new IllegalArgumentException("region '" + name + "' needs a RAM block");
        }
        long last = MemoryRegion.lastOf(name, size);
        if (offset < 0 || org.toyvm.core.addr.U64.addOverflows(offset, last) || !block.fits(offset, last + 1)) {
            throw new IllegalArgumentException("region '" + name + "' [" + offset + ", +" + size
                    + ") does not fit in RAM block '" + block.name() + "' of size " + block.size());
        }
    }

    // ---------------------------------------------------------------- address spaces

    public AddressSpace addressSpace(String name, MemoryRegion root) {
        if (root.system() != this) {
            throw new IllegalArgumentException("root '" + root.name() + "' belongs to another memory system");
        }
        AddressSpace as = new AddressSpace(this, name, root);
        spaces.add(as);
        return as;
    }

    public List<AddressSpace> addressSpaces() {
        return List.copyOf(spaces);
    }

    // ---------------------------------------------------------------- transactions

    long nextSeq() {
        return seq++;
    }

    void markUpdate() {
        pending = true;
    }

    /** Number of outermost commits that rebuilt the views. */
    public long commits() {
        return commits;
    }

    public int transactionDepth() {
        return depth;
    }

    public void transactionBegin() {
        depth++;
    }

    public void transactionCommit() {
        if (depth == 0) {
            throw new IllegalStateException("memory transaction commit without a begin");
        }
        if (--depth > 0 || !pending) {
            return;
        }
        pending = false;
        commits++;
        // Steps 1 and 2 (render, simplify) for every space before any listener hears of the commit.
        List<FlatView> fresh = new ArrayList<>(spaces.size());
        for (AddressSpace as : spaces) {
            renderer.renderAndSimplify(as.root());
            fresh.add(builder.build(renderer, as.view()));
        }
        for (MemoryListener l : List.copyOf(global)) {
            l.begin();
        }
        for (int i = 0; i < spaces.size(); i++) {
            AddressSpace as = spaces.get(i);
            FlatView old = as.view();
            FlatView now = fresh.get(i);
            as.setView(now);
            // Step 3, even when nothing changed: QEMU renders a new view on every commit, so its
            // listeners hear region_nop for every section each time, and so do ours.
            diff(as, old, now);
        }
        for (MemoryListener l : List.copyOf(global)) {
            l.commit();
        }
    }

    /** The two topology passes of QEMU's address_space_update_topology. */
    private static void diff(AddressSpace as, FlatView old, FlatView now) {
        List<MemoryListener> ls = List.copyOf(as.listenersMutable());
        for (int pass = 0; pass < 2; pass++) {
            boolean adding = pass == 1;
            FlatView.Cursor co = old.new Cursor();
            FlatView.Cursor cn = now.new Cursor();
            while (co.peek() != null || cn.peek() != null) {
                if (co.atSharedChunkWith(cn)) { // a run of shared ranges: nothing to delete, all nop
                    MemoryRegionSection[] c = co.skipChunk();
                    cn.skipChunk();
                    if (adding) {
                        for (MemoryRegionSection s : c) {
                            for (int k = 0; k < ls.size(); k++) {
                                ls.get(k).regionNop(s);
                            }
                        }
                    }
                    continue;
                }
                FlatRange fo = co.peek();
                FlatRange fn = cn.peek();
                if (fo == fn) { // shared with the previous view: region_nop, the dirty log as it was
                    if (adding) {
                        MemoryRegionSection s = fn.section();
                        for (int k = 0; k < ls.size(); k++) {
                            ls.get(k).regionNop(s);
                        }
                    }
                    co.next();
                    cn.next();
                    continue;
                }
                if (fo != null && (fn == null || Long.compareUnsigned(fo.start(), fn.start()) < 0
                        || (fo.start() == fn.start() && !fo.sameAs(fn)))) {
                    if (!adding) {
                        MemoryRegionSection s = fo.section();
                        for (int k = ls.size() - 1; k >= 0; k--) {
                            ls.get(k).regionDel(s);
                        }
                    }
                    co.next();
                } else if (fo != null && fo.sameAs(fn)) {
                    if (adding) {
                        MemoryRegionSection s = fn.section();
                        for (int k = 0; k < ls.size(); k++) {
                            ls.get(k).regionNop(s);
                        }
                        int om = fo.dirtyLogMask();
                        int nm = fn.dirtyLogMask();
                        if ((nm & ~om) != 0) {
                            for (int k = 0; k < ls.size(); k++) {
                                ls.get(k).logStart(s, om, nm);
                            }
                        }
                        if ((om & ~nm) != 0) {
                            for (int k = ls.size() - 1; k >= 0; k--) {
                                ls.get(k).logStop(s, om, nm);
                            }
                        }
                    }
                    co.next();
                    cn.next();
                } else {
                    if (adding) {
                        MemoryRegionSection s = fn.section();
                        for (int k = 0; k < ls.size(); k++) {
                            ls.get(k).regionAdd(s);
                        }
                    }
                    cn.next();
                }
            }
        }
    }

    // ---------------------------------------------------------------- listeners

    private static void insertByPriority(List<MemoryListener> list, MemoryListener l) {
        int i = list.size();
        while (i > 0 && list.get(i - 1).priority() > l.priority()) {
            i--;
        }
        list.add(i, l); // after existing listeners of the same priority
    }

    void register(AddressSpace as, MemoryListener l) {
        if (registeredOn.containsKey(l)) {
            throw new IllegalArgumentException("listener '" + l.name() + "' is already registered on "
                    + registeredOn.get(l).name());
        }
        registeredOn.put(l, as);
        insertByPriority(global, l);
        insertByPriority(as.listenersMutable(), l);
        l.begin();
        for (FlatRange r : as.view().ranges()) {
            MemoryRegionSection s = r.section();
            l.regionAdd(s);
            if (r.dirtyLogMask() != 0) {
                l.logStart(s, 0, r.dirtyLogMask());
            }
        }
        l.commit();
    }

    void unregister(AddressSpace as, MemoryListener l) {
        if (registeredOn.get(l) != as) {
            return; // not registered here: unregistering twice is a no-op
        }
        l.begin();
        for (FlatRange r : as.view().ranges()) {
            MemoryRegionSection s = r.section();
            if (r.dirtyLogMask() != 0) {
                l.logStop(s, r.dirtyLogMask(), 0);
            }
            l.regionDel(s);
        }
        l.commit();
        registeredOn.remove(l);
        global.remove(l);
        as.listenersMutable().remove(l);
    }
}
