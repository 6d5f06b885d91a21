package org.toyvm.net.vhost;

import org.toyvm.core.addr.Gpa;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.AddressSpace.RamSlice;

/**
 * The guest's control virtqueue as QEMU reads it when the queue is shadowed: QEMU, not the device,
 * pops the guest's chains ({@code virtqueue_pop} from {@code vhost_handle_guest_kick}) and pushes
 * the used entries ({@code vhost_svq_push_elem} → {@code virtqueue_push}). Everything here comes from
 * guest RAM and is hostile: indexes are u16 read at their width, the head and every {@code next}
 * checked against the queue size, a chain bounded by the queue size (or its indirect table's entry
 * count), lengths u32 and the sums kept in a long, every access resolved to RAM first (rings or buffers
 * in MMIO or unmapped space are refused, as QEMU's vring caches and {@code virtqueue_map_desc} refuse
 * them).
 *
 * <p>Outcomes: a chain whose walk fails ({@link Pop#error}) is returned with used length 0 and counted;
 * a ring that cannot be trusted — the avail index more than the queue size ahead, or a head index past
 * it, where QEMU calls {@code virtio_error} and marks the device broken — stops the queue until the
 * next start ({@link #broken()}).
 */
final class GuestCtrlRing {
    /** One command chain: its device-readable bytes (up to the bounce buffer's size) and where its ack goes. */
    record Pop(int head, byte[] out, long outTotal, long ackGpa, long inTotal, String error) {
    }

    private final AddressSpace as;
    private final int size;
    private final long desc;
    private final long avail;
    private final long used;
    private final int maxOut;
    private int lastAvail;
    private int usedIdx;
    private boolean broken;
    private String brokenReason;

    GuestCtrlRing(AddressSpace as, int size, Gpa desc, Gpa avail, Gpa used, int maxOut) {
        this.as = as;
        this.size = size;
        this.desc = desc.value();
        this.avail = avail.value();
        this.used = used.value();
        this.maxOut = maxOut;
    }

    /**
     * Continue from the guest's {@code base} (the last avail index a stop kept): vhost_svq_start on a
     * VirtQueue whose last_avail_idx survived a stop without reset. Every chain the shadow CVQ popped
     * was pushed before it returned, so the used index is the same.
     */
    GuestCtrlRing startAt(int base) {
        lastAvail = base & 0xffff;
        usedIdx = base & 0xffff;
        return this;
    }

    /** The guest's last avail index as QEMU keeps it (vhost_vdpa_get_vring_base of a shadowed vq). */
    int lastAvail() {
        return lastAvail;
    }

    boolean broken() {
        return broken;
    }

    String brokenReason() {
        return brokenReason;
    }

    private void breakRing(String why) {
        broken = true;
        brokenReason = why;
    }

    private RamSlice ram(long addr, long len) {
        return as.translate(addr, len);
    }

    /** The next available chain, or null when none is (or the ring is broken). */
    Pop pop() {
        if (broken || size <= 0) {
            return null;
        }
        RamSlice a = ram(avail + SplitRing.AVAIL_IDX, Short.BYTES);
        if (a == null) {
            breakRing("avail ring not in RAM");
            return null;
        }
        int availIdx = a.block().getU16Acquire(a.offset()) & 0xffff;
        int pending = (availIdx - lastAvail) & 0xffff;
        if (pending == 0) {
            return null;
        }
        if (pending > size) {
            breakRing("guest moved avail index from " + lastAvail + " to " + availIdx);
            return null;
        }
        RamSlice e = ram(avail + SplitRing.AVAIL_RING + 2L * (lastAvail % size), Short.BYTES);
        if (e == null) {
            breakRing("avail ring not in RAM");
            return null;
        }
        int head = e.block().getU16(e.offset()) & 0xffff;
        if (head >= size) {
            breakRing("guest says index " + head + " is available");
            return null;
        }
        lastAvail = (lastAvail + 1) & 0xffff;
        return walk(head);
    }

    /** virtqueue_split_pop's walk of one chain (one level of indirection), bounded and checked. */
    private Pop walk(int head) {
        byte[] out = new byte[maxOut];
        long outTotal = 0;
        long inTotal = 0;
        long ackGpa = 0;
        boolean hasAck = false;
        long table = desc;
        int limit = size;
        int i = head;
        boolean indirect = false;
        for (int seen = 0;; seen++) {
            if (seen >= limit) {
                return fail(head, "looped chain");
            }
            RamSlice d = ram(table + (long) i * SplitRing.DESC_SIZE, SplitRing.DESC_SIZE);
            if (d == null) {
                return fail(head, "descriptor not in RAM");
            }
            long addr = d.block().getU64(d.offset() + SplitRing.DESC_ADDR);
            long len = Integer.toUnsignedLong(d.block().getU32(d.offset() + SplitRing.DESC_LEN));
            int flags = d.block().getU16(d.offset() + SplitRing.DESC_FLAGS) & 0xffff;
            int next = d.block().getU16(d.offset() + SplitRing.DESC_NEXT) & 0xffff;
            if ((flags & SplitRing.DESC_F_INDIRECT) != 0) {
                if (indirect || seen != 0 || (flags & SplitRing.DESC_F_NEXT) != 0) {
                    return fail(head, "indirect descriptor inside a chain");
                }
                if (len == 0 || len % SplitRing.DESC_SIZE != 0 || len / SplitRing.DESC_SIZE > size) {
                    return fail(head, "bad indirect table length " + len);
                }
                indirect = true;
                table = addr;
                limit = (int) (len / SplitRing.DESC_SIZE);
                i = 0;
                seen = -1;
                continue;
            }
            if ((flags & SplitRing.DESC_F_WRITE) != 0) {
                inTotal += len;
                if (!hasAck && len > 0) {
                    if (ram(addr, 1) == null) {
                        return fail(head, "ack buffer not in RAM");
                    }
                    ackGpa = addr;
                    hasAck = true;
                }
            } else {
                if (inTotal > 0 || hasAck) {
                    return fail(head, "readable descriptor after a writable one");
                }
                if (len > 0) {
                    RamSlice s = ram(addr, len);
                    if (s == null) {
                        return fail(head, "command buffer not in RAM");
                    }
                    long room = maxOut - Math.min(outTotal, maxOut);
                    int n = (int) Math.min(room, len);
                    if (n > 0) {
                        s.block().read(s.offset(), out, (int) outTotal, n);
                    }
                    outTotal += len;
                }
            }
            if ((flags & SplitRing.DESC_F_NEXT) == 0) {
                break;
            }
            if (next >= limit) {
                return fail(head, "next " + next + " past the " + (indirect ? "indirect table" : "queue"));
            }
            i = next;
        }
        return new Pop(head, out, outTotal, hasAck ? ackGpa : -1, inTotal, null);
    }

    private static Pop fail(int head, String why) {
        return new Pop(head, new byte[0], 0, -1, 0, why);
    }

    /** Writes the one-byte ack into the chain's first writable byte; false when it cannot (a fault). */
    boolean writeAck(Pop p, int ack) {
        if (p.inTotal() == 0 || p.error() != null) {
            return false;
        }
        RamSlice s = ram(p.ackGpa(), 1);
        if (s == null || s.readonly()) {
            return false;
        }
        s.block().putU8(s.offset(), (byte) ack);
        return true;
    }

    /** virtqueue_push + virtqueue_flush: one used entry {head, len}, then the used index; false on a fault. */
    boolean push(int head, int len) {
        RamSlice e = ram(used + SplitRing.USED_RING + (long) (usedIdx % size) * SplitRing.USED_ELEM_SIZE,
                SplitRing.USED_ELEM_SIZE);
        RamSlice idx = ram(used + SplitRing.USED_IDX, Short.BYTES);
        if (e == null || idx == null || e.readonly() || idx.readonly()) {
            breakRing("used ring not in writable RAM");
            return false;
        }
        e.block().putU32(e.offset() + SplitRing.USED_ELEM_ID, head);
        e.block().putU32(e.offset() + SplitRing.USED_ELEM_LEN, len);
        usedIdx = (usedIdx + 1) & 0xffff;
        idx.block().putU16Release(idx.offset(), (short) usedIdx);
        return true;
    }
}
