package org.toyvm.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.MemoryAccessException;
import org.toyvm.core.mem.RamBlock;

/**
 * An address space over a root region: its current FlatView, its listeners, and guest-physical
 * accesses (the toy guest's loads and stores).
 *
 * <p>Accesses: RAM and ROM read their RAM block; RAM writes land there; ROM writes are ignored; MMIO
 * (and rom_device writes, and reads outside romd mode) go to the region's callbacks; addresses where
 * nothing is mapped read as zero and answer {@link MemTxResult#DECODE_ERROR}.
 *
 * <p>As {@link GuestRam} it is what a guest driver writes its rings and buffers through: a GPA range
 * resolves, through the current FlatView, to the RAM block and the offset the range lives at.
 */
public final class AddressSpace implements GuestRam {
    private final MemorySystem system;
    private final String name;
    private final MemoryRegion root;
    private final List<MemoryListener> listeners = new ArrayList<>();
    private FlatView view;

    AddressSpace(MemorySystem system, String name, MemoryRegion root) {
        this.system = system;
        this.name = name;
        this.root = root;
        this.view = FlatView.render(root);
    }

    public String name() {
        return name;
    }

    public MemoryRegion root() {
        return root;
    }

    public FlatView view() {
        return view;
    }

    void setView(FlatView v) {
        view = v;
    }

    /** Listeners in call order for add callbacks (ascending priority). */
    public List<MemoryListener> listeners() {
        return Collections.unmodifiableList(listeners);
    }

    List<MemoryListener> listenersMutable() {
        return listeners;
    }

    /** memory_listener_register: replays the current view (begin, region_add…, commit). */
    public void registerListener(MemoryListener l) {
        system.register(this, l);
    }

    /** memory_listener_unregister: replays deletion (begin, region_del…, commit); a second call does nothing. */
    public void unregisterListener(MemoryListener l) {
        system.unregister(this, l);
    }

    /** A value read: the bytes and whether every byte decoded. */
    public record Read(long value, MemTxResult result) {
    }

    /** Reads a little-endian value of {@code size} (1, 2, 4, 8) bytes; MMIO sees one access of that size. */
    public Read readValue(long addr, int size) {
        checkSize(size);
        FlatRange r = view.lookup(addr);
        if (r != null && !U64.addOverflows(addr, size - 1) && U64.le(addr + size - 1, r.last())) {
            long off = r.offsetInRegion() + (addr - r.start());
            MemoryRegion mr = r.region();
            if (usesCallbacksForRead(r)) {
                return new Read(mr.ops().read(off, size) & mask(size), MemTxResult.OK);
            }
            return new Read(readRam(mr, off, size), MemTxResult.OK);
        }
        byte[] b = new byte[size];
        MemTxResult res = read(addr, b, 0, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return new Read(v, res);
    }

    /** Writes a little-endian value of {@code size} bytes; MMIO sees one access of that size. */
    public MemTxResult writeValue(long addr, long value, int size) {
        checkSize(size);
        FlatRange r = view.lookup(addr);
        if (r != null && !U64.addOverflows(addr, size - 1) && U64.le(addr + size - 1, r.last())) {
            long off = r.offsetInRegion() + (addr - r.start());
            MemoryRegion mr = r.region();
            if (mr.ops() != null && (mr.kind() != RegionKind.RAM && mr.kind() != RegionKind.ROM)) {
                mr.ops().write(off, value & mask(size), size);
                return MemTxResult.OK;
            }
            if (!r.readonly()) {
                writeRam(mr, off, value, size);
            }
            return MemTxResult.OK;
        }
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return write(addr, b, 0, size);
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("access size " + size + " is not 1, 2, 4 or 8");
        }
    }

    private static long mask(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    private static boolean usesCallbacksForRead(FlatRange r) {
        MemoryRegion mr = r.region();
        return switch (mr.kind()) {
            case IO -> true;
            case ROM_DEVICE -> !r.romdMode();
            case RAM_DEVICE -> mr.ops() != null;
            default -> false;
        };
    }

    private static long readRam(MemoryRegion mr, long off, int size) {
        RamBlock b = mr.ramBlock();
        long at = mr.ramOffset() + off;
        return switch (size) {
            case 1 -> b.getU8(at) & 0xffL;
            case 2 -> b.getU16(at) & 0xffffL;
            case 4 -> b.getU32(at) & 0xffff_ffffL;
            default -> b.getU64(at);
        };
    }

    private static void writeRam(MemoryRegion mr, long off, long v, int size) {
        RamBlock b = mr.ramBlock();
        long at = mr.ramOffset() + off;
        switch (size) {
            case 1 -> b.putU8(at, (byte) v);
            case 2 -> b.putU16(at, (short) v);
            case 4 -> b.putU32(at, (int) v);
            default -> b.putU64(at, v);
        }
    }

    /** Reads {@code len} bytes, splitting at range boundaries; unmapped bytes read as 0. */
    public MemTxResult read(long addr, byte[] dst, int dstIndex, int len) {
        MemTxResult res = MemTxResult.OK;
        int done = 0;
        while (done < len) {
            long a = addr + done;
            FlatRange r = view.lookup(a);
            int n;
            if (r == null) {
                n = 1;
                dst[dstIndex + done] = 0;
                res = MemTxResult.DECODE_ERROR;
            } else {
                n = (int) Math.min(len - done, U64.min(r.last() - a, Integer.MAX_VALUE) + 1);
                long off = r.offsetInRegion() + (a - r.start());
                MemoryRegion mr = r.region();
                if (usesCallbacksForRead(r)) {
                    for (int i = 0; i < n; i++) {
                        dst[dstIndex + done + i] = (byte) mr.ops().read(off + i, 1);
                    }
                } else {
                    mr.ramBlock().read(mr.ramOffset() + off, dst, dstIndex + done, n);
                }
            }
            done += n;
            if (a + n == 0) {
                break; // wrapped past 2^64
            }
        }
        return res;
    }

    /** Writes {@code len} bytes, splitting at range boundaries; ROM is left unchanged, unmapped bytes dropped. */
    public MemTxResult write(long addr, byte[] src, int srcIndex, int len) {
        MemTxResult res = MemTxResult.OK;
        int done = 0;
        while (done < len) {
            long a = addr + done;
            FlatRange r = view.lookup(a);
            int n;
            if (r == null) {
                n = 1;
                res = MemTxResult.DECODE_ERROR;
            } else {
                n = (int) Math.min(len - done, U64.min(r.last() - a, Integer.MAX_VALUE) + 1);
                long off = r.offsetInRegion() + (a - r.start());
                MemoryRegion mr = r.region();
                if (mr.ops() != null && mr.kind() != RegionKind.RAM && mr.kind() != RegionKind.ROM) {
                    for (int i = 0; i < n; i++) {
                        mr.ops().write(off + i, src[srcIndex + done + i] & 0xff, 1);
                    }
                } else if (!r.readonly()) {
                    mr.ramBlock().write(mr.ramOffset() + off, src, srcIndex + done, n);
                }
            }
            done += n;
            if (a + n == 0) {
                break;
            }
        }
        return res;
    }

    /** Where {@code [addr, addr+len)} lives when it is inside one RAM-backed range (like address_space_map). */
    public record RamSlice(RamBlock block, long offset, boolean readonly) {
    }

    /** The RAM slice holding {@code [addr, addr+len)}, or null when it is not inside one RAM or ROM range. */
    public RamSlice translate(long addr, long len) {
        FlatRange r = view.lookup(addr);
        if (r == null || len <= 0 || U64.addOverflows(addr, len - 1) || U64.gt(addr + len - 1, r.last())) {
            return null;
        }
        MemoryRegion mr = r.region();
        if (mr.kind() != RegionKind.RAM && mr.kind() != RegionKind.ROM) {
            return null;
        }
        return new RamSlice(mr.ramBlock(), mr.ramOffset() + r.offsetInRegion() + (addr - r.start()), r.readonly());
    }

    /**
     * The writable RAM holding {@code [gpa, gpa+len)}, resolved through the current FlatView (QEMU's
     * address_space_translate followed by the RAM block offset of the region, as address_space_map
     * does for a direct RAM access). A driver writes what it resolves, so ROM and read-only ranges do
     * not resolve, nor does a range that leaves its FlatRange (QEMU would bounce or split it).
     *
     * @throws MemoryAccessException when the range is not inside one writable RAM range
     */
    @Override
    public RamSpan span(Gpa gpa, long len) {
        long addr = gpa.value();
        FlatRange r = view.lookup(addr);
        if (r == null || len <= 0 || U64.addOverflows(addr, len - 1) || U64.gt(addr + len - 1, r.last())
                || r.region().kind() != RegionKind.RAM || r.readonly()) {
            throw new MemoryAccessException(len + " bytes at " + gpa + " are not inside one writable RAM range of "
                    + this);
        }
        MemoryRegion mr = r.region();
        return new RamSpan(mr.ramBlock(), mr.ramOffset() + r.offsetInRegion() + (addr - r.start()));
    }

    @Override
    public String toString() {
        return "AddressSpace[" + name + "]";
    }
}
