package org.toyvm.fuzz;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.List;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.fuzz.RingSteps.Avail;
import org.toyvm.fuzz.RingSteps.AvailIdx;
import org.toyvm.fuzz.RingSteps.Desc;
import org.toyvm.fuzz.RingSteps.Frame;
import org.toyvm.fuzz.RingSteps.Kick;
import org.toyvm.fuzz.RingSteps.Perm;
import org.toyvm.fuzz.RingSteps.Poke;
import org.toyvm.fuzz.RingSteps.Queue;
import org.toyvm.fuzz.RingSteps.Reset;
import org.toyvm.fuzz.RingSteps.Setup;
import org.toyvm.fuzz.RingSteps.Status;
import org.toyvm.fuzz.RingSteps.Step;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.hw.queue.ChainError;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.iotlb.VhostIotlb;

/**
 * The split ring against the simulated NIC: a guest that writes random descriptor tables, avail
 * rings and indirect tables into its memory, kicks random queues and receives frames from the wire,
 * while the IOMMU map (one entry per 4 KiB page, random permissions and holes) changes under it.
 *
 * <p>Oracles: nothing escapes the NIC (also not as a swallowed "internal error" NEEDS_RESET or a
 * task failure on the scheduler); processing ends within a bound of scheduler events; the NIC never
 * writes a page that is not mapped writable (each such page is compared before and after every
 * operation that lets the device run) and never reads one that is not mapped readable (such pages
 * hold a marker that must never appear in a TX frame); the used index never runs ahead of what the guest made
 * available; every Netty buffer is released after reset and close.
 *
 * <p>Writes that land inside a queue the guest programmed (a descriptor of its table, an avail slot,
 * the avail index) go through that queue's {@link DriverRing}, the driver-side ring every test uses;
 * writes anywhere else (a table entry past the size, an indirect table, a ring the device was told
 * is somewhere memory is not) are raw guest stores, as a hostile guest makes them.
 */
final class RingSurface implements Surface<RingSteps.Step> {
    static final int PAGES = 32;
    static final long RAM = PAGES * 4096L;
    private static final long EVENT_BOUND = 100_000;

    @Override
    public String name() {
        return "ring";
    }

    @Override
    public List<Step> generate(Gen g) {
        return RingSteps.generate(g);
    }

    // ------------------------------------------------------------------ execution

    @Override
    public String run(List<Step> input) {
        TrackingAllocator alloc = new TrackingAllocator();
        VirtualScheduler sched = new VirtualScheduler();
        HostAddressSpace mm = new HostAddressSpace();
        RamBlock ram = mm.map("guest", RAM);
        GuestRam guest = GuestRam.at(ram, Gpa.of(0));
        DriverRing[] rings = new DriverRing[VirtioNetNic.CTRL + 1];
        VhostIotlb map = new VhostIotlb();
        VirtioNetNic nic = new VirtioNetNic(sched, mm, 0x525400123456L, alloc);
        InProcessWire wire = new InProcessWire(sched, 0);
        WirePort far = wire.endB();
        int[] perms = new int[PAGES];
        Arrays.fill(perms, DmaEntry.PERM_RW);
        long features = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1);
        int firstStep = 0;
        if (!input.isEmpty() && input.get(0) instanceof Setup setup) {
            perms = setup.perms().clone();
            features |= (setup.indirect() ? VirtioFeatures.bit(VirtioFeatures.RING_F_INDIRECT_DESC) : 0)
                    | (setup.eventIdx() ? VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX) : 0);
            firstStep = 1;
        }
        for (int p = 0; p < PAGES; p++) {
            if (perms[p] != 0) {
                map.add(p * 4096L, p * 4096L + 4095, ram.base().value() + p * 4096L, perms[p]);
            }
            if ((perms[p] & DmaEntry.PERM_RO) == 0) {
                markIfUnreadable(ram, p, perms[p]); // fresh RAM reads zero: only the marked pages need writing
            }
        }
        nic.setTranslations(asid -> asid == 0 || asid == 1 ? map : null);
        nic.attach(wire.endA());
        long[] sent = new long[1];
        far.setReceiver(f -> {
            sent[0]++;
            int run = 0;
            for (int i = f.readerIndex(); i < f.writerIndex() && run < MARK_RUN; i++) {
                run = f.getByte(i) == MARK ? run + 1 : 0;
            }
            f.release();
            if (run >= MARK_RUN) {
                throw OracleFailure.oracle("dma-read-outside-readable-mapping",
                        "a TX frame carries " + MARK_RUN + " marker bytes of a page the device may not read");
            }
        });
        nic.setDriverFeatures(features);
        byte[][] before = new byte[PAGES][];
        try {
            for (int k = firstStep; k < input.size(); k++) {
                Step st = input.get(k);
                boolean deviceRuns = st instanceof Queue || st instanceof Status || st instanceof Kick
                        || st instanceof Frame || st instanceof Reset; // a Perm step re-marks pages itself
                if (deviceRuns) {
                    snapshot(ram, perms, before);
                }
                apply(st, nic, ram, guest, rings, map, perms, far, alloc);
                runBounded(sched, st);
                if (deviceRuns) {
                    compare(ram, perms, before, st);
                }
                String why = nic.needsResetReason();
                OracleFailure.check(why == null || !why.startsWith("internal error"), "nic-internal-error", () -> why);
            }
        } finally {
            nic.reset();
            wire.endA().close();
            far.close();
        }
        if (!sched.failures().isEmpty()) {
            Throwable t = sched.failures().get(0);
            throw t instanceof RuntimeException re ? re : new RuntimeException(t);
        }
        alloc.checkAllReleased("nic-and-wire-buffers-after-reset");
        var c = nic.counters();
        return "tx=" + Math.min(c.txFrames(), 1) + " rx=" + Math.min(c.rxFrames(), 1) + " nr=" + c.needsResetEvents()
                + " drops=" + dropKinds(c) + " faults=" + Math.min(nic.dmaFaults(), 1);
    }

    private static String dropKinds(org.toyvm.hw.net.NicCounters c) {
        StringBuilder sb = new StringBuilder();
        for (ChainError e : ChainError.values()) {
            if (c.chainDrops(e) > 0) {
                sb.append(e.ordinal()).append(',');
            }
        }
        return sb.toString();
    }

    /** The driver-side ring of a programmed queue, or null when its size or areas are not a ring in RAM. */
    private static DriverRing ringOf(GuestRam guest, Queue q) {
        if (!SplitRing.validSize(q.num()) || !inRam(q.desc(), SplitRing.descTableSize(q.num()))
                || !inRam(q.avail(), SplitRing.availSize(q.num())) || !inRam(q.used(), SplitRing.usedSize(q.num()))) {
            return null;
        }
        return new DriverRing(guest, q.num(), new DriverRing.Layout(Gpa.of(q.desc()), Gpa.of(q.avail()),
                Gpa.of(q.used())));
    }

    private static boolean inRam(long addr, long len) {
        return U64.le(addr, RAM) && len <= RAM - addr;
    }

    /** The programmed ring whose descriptor table ({@code desc}) or avail ring ({@code !desc}) is at {@code at}. */
    private static DriverRing ringAt(DriverRing[] rings, long at, boolean desc) {
        for (DriverRing r : rings) {
            if (r != null && (desc ? r.layout().desc() : r.layout().avail()).value() == at) {
                return r;
            }
        }
        return null;
    }

    private static void apply(Step st, VirtioNetNic nic, RamBlock ram, GuestRam guest, DriverRing[] rings,
            VhostIotlb map, int[] perms, WirePort far, TrackingAllocator alloc) {
        if (st instanceof Queue q) {
            nic.setVqNum(q.q(), q.num());
            nic.setVqAddress(q.q(), Iova.of(q.desc()), Iova.of(q.avail()), Iova.of(q.used()));
            nic.setVqReady(q.q(), q.ready());
            if (q.q() >= 0 && q.q() < rings.length) {
                rings[q.q()] = ringOf(guest, q);
            }
        } else if (st instanceof Status s) {
            nic.setStatus(s.status());
        } else if (st instanceof Desc d) {
            DriverRing r = ringAt(rings, d.table(), true);
            if (r != null && Integer.compareUnsigned(d.i(), r.size()) < 0) {
                r.writeDesc(d.i(), Gpa.of(d.addr()), d.len(), d.flags(), d.next());
            } else {
                long at = d.table() + 16L * d.i();
                putU64(ram, at, d.addr());
                putU32(ram, at + 8, d.len());
                putU16(ram, at + 12, d.flags());
                putU16(ram, at + 14, d.next());
            }
        } else if (st instanceof Avail a) {
            // The driver writes ring[slot % num]; the slot here is already the position (past the ring: raw).
            DriverRing r = ringAt(rings, a.avail(), false);
            if (r != null && (a.slot() & 0xffff) < r.size()) {
                r.setAvailEntry(a.slot() & 0xffff, a.head());
            } else {
                putU16(ram, a.avail() + SplitRing.AVAIL_RING + 2L * (a.slot() & 0xffff), a.head());
            }
        } else if (st instanceof AvailIdx a) {
            DriverRing r = ringAt(rings, a.avail(), false);
            if (r != null) {
                r.forceAvailIdx(a.idx());
            } else {
                putU16(ram, a.avail() + SplitRing.AVAIL_IDX, a.idx());
            }
        } else if (st instanceof Poke p) {
            putU64(ram, p.gpa(), p.value());
        } else if (st instanceof Kick k) {
            nic.kick(k.q());
        } else if (st instanceof Frame f) {
            // From the tracking allocator (never the shared empty buffer, whose refCnt never drops).
            ByteBuf buf = alloc.heapBuffer(f.len());
            for (int i = 0; i < f.len(); i++) {
                buf.writeByte(i * 31 + 7);
            }
            far.send(buf);
        } else if (st instanceof Perm p) {
            long start = p.page() * 4096L;
            map.removeOverlapping(start, start + 4095);
            if (p.perm() != 0) {
                map.add(start, start + 4095, ram.base().value() + start, p.perm());
            }
            perms[p.page()] = p.perm();
            markIfUnreadable(ram, p.page(), p.perm());
        } else if (st instanceof Reset) {
            nic.reset();
        }
    }

    /**
     * A page the device may not read holds a marker; one it may read holds none (the harness owns
     * the guest's memory), so marker bytes in a TX frame can only come from a forbidden read. Random
     * guest data and wire frames never hold {@value #MARK_RUN} marker bytes in a row.
     */
    private static void markIfUnreadable(RamBlock ram, int page, int perm) {
        if ((perm & DmaEntry.PERM_RO) == 0) {
            ram.write(page * 4096L, MARK_PAGE, 0, 4096);
        } else {
            ram.zero(page * 4096L, 4096);
        }
    }

    private static final byte MARK = (byte) 0xa5;
    private static final int MARK_RUN = 16;
    private static final byte[] MARK_PAGE = markPage();

    private static byte[] markPage() {
        byte[] b = new byte[4096];
        java.util.Arrays.fill(b, MARK);
        return b;
    }

    // The guest writes its own memory; what lies outside it is simply not there (a guest write to a
    // hole has no effect), as the 8-byte accesses below check.
    private static void putU64(RamBlock ram, long at, long v) {
        if (at >= 0 && at <= RAM - 8) {
            ram.putU64(at, v);
        }
    }

    private static void putU32(RamBlock ram, long at, int v) {
        if (at >= 0 && at <= RAM - 4) {
            ram.putU32(at, v);
        }
    }

    private static void putU16(RamBlock ram, long at, int v) {
        if (at >= 0 && at <= RAM - 2) {
            ram.putU16(at, (short) v);
        }
    }

    private static void runBounded(VirtualScheduler sched, Step st) {
        long start = sched.executedTasks();
        sched.runUntil(Long.MAX_VALUE, () -> sched.pendingTasks() == 0 || sched.executedTasks() - start > EVENT_BOUND);
        if (sched.pendingTasks() != 0) {
            throw OracleFailure.hang("ring-event-bound", "more than " + EVENT_BOUND + " scheduler events after " + st);
        }
    }

    /** Copies every page the device may not write (not mapped, or mapped without write permission). */
    private static void snapshot(RamBlock ram, int[] perms, byte[][] before) {
        for (int p = 0; p < PAGES; p++) {
            if ((perms[p] & DmaEntry.PERM_WO) == 0) {
                if (before[p] == null) {
                    before[p] = new byte[4096];
                }
                ram.read(p * 4096L, before[p], 0, 4096);
            } else {
                before[p] = null;
            }
        }
    }

    private static void compare(RamBlock ram, int[] perms, byte[][] before, Step st) {
        byte[] now = new byte[4096];
        for (int p = 0; p < PAGES; p++) {
            if (before[p] != null) {
                ram.read(p * 4096L, now, 0, 4096);
                if (!Arrays.equals(now, before[p])) {
                    throw OracleFailure.oracle("dma-write-outside-writable-mapping",
                            "page " + p + " (perm " + perms[p] + ") changed during " + st);
                }
            }
        }
    }
}
