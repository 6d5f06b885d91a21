package org.toyvm.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.net.VirtioNetNic;

/**
 * The ring surface's input language: the steps a hostile guest takes against the NIC (program a
 * queue, write descriptors and avail entries, poke memory, kick, receive a frame, change a page's
 * IOMMU permission, reset), and how a random input of them is drawn. {@link RingSurface} runs them.
 */
final class RingSteps {
    static final int PAGES = RingSurface.PAGES;
    static final long RAM = RingSurface.RAM;

    private RingSteps() {
    }

    sealed interface Step permits Setup, Queue, Status, Desc, Avail, AvailIdx, Poke, Kick, Frame, Perm, Reset {
    }

    /** Negotiated ring features and the initial permission of each page (0 = unmapped). */
    record Setup(boolean indirect, boolean eventIdx, int[] perms) implements Step {
        @Override
        public String toString() {
            return "setup indirect=" + indirect + " event_idx=" + eventIdx + " perms=" + Arrays.toString(perms);
        }
    }

    record Queue(int q, int num, long desc, long avail, long used, boolean ready) implements Step {
        @Override
        public String toString() {
            return "queue " + q + " num=" + num + " desc=0x" + Long.toHexString(desc) + " avail=0x"
                    + Long.toHexString(avail) + " used=0x" + Long.toHexString(used) + " ready=" + ready;
        }
    }

    record Status(int status) implements Step {
        @Override
        public String toString() {
            return "status 0x" + Integer.toHexString(status);
        }
    }

    /** Writes descriptor {@code i} of the table at {@code table} (a GPA: guest RAM is at IOVA = GPA). */
    record Desc(long table, int i, long addr, int len, int flags, int next) implements Step {
        @Override
        public String toString() {
            return "desc table=0x" + Long.toHexString(table) + " [" + i + "] addr=0x" + Long.toHexString(addr) + " len="
                    + Integer.toUnsignedString(len) + " flags=" + flags + " next=" + next;
        }
    }

    record Avail(long avail, int slot, int head) implements Step {
        @Override
        public String toString() {
            return "avail at=0x" + Long.toHexString(avail) + " ring[" + slot + "]=" + head;
        }
    }

    record AvailIdx(long avail, int idx) implements Step {
        @Override
        public String toString() {
            return "avail at=0x" + Long.toHexString(avail) + " idx=" + idx;
        }
    }

    record Poke(long gpa, long value) implements Step {
        @Override
        public String toString() {
            return "poke 0x" + Long.toHexString(gpa) + " = 0x" + Long.toHexString(value);
        }
    }

    record Kick(int q) implements Step {
        @Override
        public String toString() {
            return "kick " + q;
        }
    }

    record Frame(int len) implements Step {
        @Override
        public String toString() {
            return "frame from wire len=" + len;
        }
    }

    /** Re-maps (or unmaps, perm 0) one page, as an IOTLB invalidate/update would. */
    record Perm(int page, int perm) implements Step {
        @Override
        public String toString() {
            return "map page " + page + " perm=" + perm;
        }
    }

    record Reset() implements Step {
        @Override
        public String toString() {
            return "reset";
        }
    }


    // ------------------------------------------------------------------ generation

    private static final long[] RING_BASES = {0x1000, 0x4000, 0x8000, 0xc000};

    private static int perm(Gen g) {
        return switch (g.below(10)) {
            case 0 -> 0;
            case 1 -> DmaEntry.PERM_RO;
            case 2 -> DmaEntry.PERM_WO;
            default -> DmaEntry.PERM_RW;
        };
    }

    private static long addr(Gen g) {
        return switch (g.below(8)) {
            case 0 -> g.int64();
            case 1 -> RAM - g.below(64);
            default -> 0x10000 + g.below((int) RAM - 0x10000);
        };
    }

    private static int len(Gen g) {
        return switch (g.below(6)) {
            case 0 -> g.int32();
            case 1 -> g.pick(new int[] {0, 1, 12, 13, 25, 26, 1525, 1526, 1527, 16, 32, 48});
            default -> 12 + g.below(1600);
        };
    }

    /** One input: a driver-like start most of the time, then 1..24 hostile or plausible steps. */
    static List<Step> generate(Gen g) {
        List<Step> s = new ArrayList<>();
        int[] perms = new int[PAGES];
        for (int i = 0; i < PAGES; i++) {
            perms[i] = g.chance(85) ? DmaEntry.PERM_RW : perm(g);
        }
        s.add(new Setup(g.chance(50), g.chance(50), perms));
        // A driver-like start (most of the time): rx and tx (and sometimes ctrl) rings, then DRIVER_OK.
        int nq = g.chance(80) ? 2 + (g.chance(30) ? 1 : 0) : g.below(4);
        long[] desc = new long[3];
        long[] avail = new long[3];
        int[] num = new int[3];
        for (int q = 0; q < 3; q++) {
            num[q] = g.chance(85) ? 1 << g.below(5) : g.ringSize(VirtioNetNic.MAX_QUEUE_SIZE);
            desc[q] = g.chance(90) ? RING_BASES[q] : addr(g);
            avail[q] = desc[q] + SplitRing.descTableSize(Math.max(1, Math.min(num[q], 256))) + (g.chance(95) ? 0 : 1);
            long used = (avail[q] + SplitRing.availSize(Math.max(1, Math.min(num[q], 256))) + 3) & ~3L;
            if (q < nq) {
                s.add(new Queue(q, num[q], desc[q], avail[q], g.chance(95) ? used : addr(g), g.chance(95)));
            }
        }
        s.add(new Status(g.chance(90) ? VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK : g.int32() & 0xff));
        int[] availIdx = new int[3];
        int steps = 1 + g.below(24);
        for (int k = 0; k < steps; k++) {
            int q = g.chance(90) ? g.below(3) : g.int32();
            int qq = Math.floorMod(q, 3);
            int n = Math.max(1, num[qq]);
            switch (g.below(14)) {
                case 0, 1, 2, 3 -> {
                    // A chain of 1..4 descriptors starting at a random slot, with plausible flags.
                    int at = g.below(Math.min(n, 256));
                    int chain = 1 + g.below(4);
                    for (int c = 0; c < chain; c++) {
                        int slot = (at + c) % Math.min(n, 256);
                        int flags = (c < chain - 1 ? SplitRing.DESC_F_NEXT : 0)
                                | (qq == VirtioNetNic.RX || (qq == VirtioNetNic.CTRL && c == chain - 1)
                                        ? SplitRing.DESC_F_WRITE : 0);
                        if (g.chance(15)) {
                            flags = g.below(8);
                        }
                        int next = g.chance(85) ? (slot + 1) % Math.min(n, 256) : g.int32() & 0xffff;
                        s.add(new Desc(g.chance(95) ? desc[qq] : addr(g), g.chance(95) ? slot : g.int32() & 0xffff,
                                addr(g), len(g), flags, next));
                    }
                    s.add(new Avail(avail[qq], availIdx[qq], g.chance(90) ? at : g.int32() & 0xffff));
                    availIdx[qq] = (availIdx[qq] + 1) & 0xffff;
                    s.add(new AvailIdx(avail[qq], g.chance(90) ? availIdx[qq] : g.int32() & 0xffff));
                    s.add(new Kick(q));
                }
                case 4 -> {
                    // An indirect table somewhere in RAM, pointed at by one descriptor.
                    long table = 0x10000 + 16L * g.below((int) (RAM - 0x10000) / 16);
                    int entries = 1 + g.below(4);
                    for (int e = 0; e < entries; e++) {
                        int flags = (e < entries - 1 ? SplitRing.DESC_F_NEXT : 0)
                                | (qq == VirtioNetNic.RX ? SplitRing.DESC_F_WRITE : 0);
                        if (g.chance(15)) {
                            flags = g.below(8);
                        }
                        s.add(new Desc(table, e, addr(g), len(g), flags, g.chance(85) ? e + 1 : g.int32() & 0xffff));
                    }
                    int slot = g.below(Math.min(n, 256));
                    s.add(new Desc(desc[qq], slot, table, g.chance(80) ? 16 * entries : len(g),
                            g.chance(85) ? SplitRing.DESC_F_INDIRECT : g.below(8), 0));
                    s.add(new Avail(avail[qq], availIdx[qq], slot));
                    availIdx[qq] = (availIdx[qq] + 1) & 0xffff;
                    s.add(new AvailIdx(avail[qq], availIdx[qq]));
                    s.add(new Kick(q));
                }
                case 5, 6 -> s.add(new Frame(g.chance(80) ? 14 + g.below(1500) : g.pick(new int[] {0, 1, 13, 14, 1514,
                    1515, 4000, 65535})));
                case 7 -> s.add(new Poke(g.chance(80) ? 16L * g.below((int) RAM / 16) : addr(g), g.int64()));
                case 8 -> s.add(new Perm(g.below(PAGES), perm(g)));
                case 9 -> s.add(new AvailIdx(avail[qq], g.int32() & 0xffff));
                case 10 -> s.add(new Kick(q));
                case 11 -> s.add(new Queue(qq, g.ringSize(VirtioNetNic.MAX_QUEUE_SIZE), addr(g), addr(g), addr(g),
                        g.bool()));
                case 12 -> s.add(new Status(g.int32() & 0xff));
                default -> s.add(new Reset());
            }
        }
        return s;
    }
}
