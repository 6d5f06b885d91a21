package org.toyvm.vm.guest;

import org.toyvm.core.addr.Gpa;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;

/**
 * Where the toy guest keeps its two rings and its two buffer pools, by guest physical address. The
 * default is the layout the guest has always used, from 1 MiB:
 *
 * <pre>
 *  base + 0x000000 RX ring (one 64 KiB slot)   base + 0x010000 TX ring (one 64 KiB slot)
 *  base + 0x100000 RX buffers 256 × 2 KiB      base + 0x200000 TX buffers 256 × 2 KiB
 * </pre>
 *
 * With more queue pairs (multiqueue), pair 0 stays there and pairs 1..15 and the control queue
 * follow from {@code rxRing + 4 MiB}: first 30 ring slots (rx/tx of pairs 1..15), the control
 * queue's ring slot and one slot for its command and ack buffers, then from {@code rxRing + 6 MiB} the
 * 30 buffer pools. With 16 pairs the layout ends {@link #EXTRA_AT} + 2 MiB + 30 × 512 KiB = 21 MiB
 * past its base (22 MiB for the default base): inside the smallest guest (64 MiB).
 *
 * <p>Every address here is a GPA; where it lives in a RAM block is the guest RAM's business
 * ({@link org.toyvm.core.mem.GuestRam}), never assumed from its value.
 */
public record GuestLayout(Gpa rxRing, Gpa txRing, Gpa rxBufs, Gpa txBufs, int queueSize, int bufSize) {
    /** Bytes reserved for one ring (descriptor table, avail and used ring of {@link #queueSize}). */
    public static final long RING_SLOT = 0x1_0000;
    private static final long RX_BUFS_AT = 0x10_0000;
    private static final long TX_BUFS_AT = 0x20_0000;
    public static final int QUEUE_SIZE = 256;
    public static final int BUF_SIZE = 2048;

    /** Where pairs 1.. and the control queue start, from {@link #rxRing()}. */
    static final long EXTRA_AT = 0x40_0000;
    /** Where the extra pairs' buffer pools start, from {@link #rxRing()}. */
    private static final long EXTRA_POOLS_AT = EXTRA_AT + 0x20_0000;
    /** The most queue pairs a layout places. */
    public static final int MAX_PAIRS = 16;
    private static final int EXTRA_SLOTS = 2 * (MAX_PAIRS - 1);

    /** The guest's layout from 1 MiB (GPA 0x100000). */
    public static final GuestLayout DEFAULT = at(Gpa.of(0x10_0000));

    public GuestLayout {
        if (!SplitRing.validSize(queueSize) || SplitRing.vringSize(queueSize, SplitRing.USED_ALIGN) > RING_SLOT) {
            throw new IllegalArgumentException("queue size " + queueSize + " does not fit a ring slot");
        }
        if (bufSize <= VirtioNet.HDR_V1_SIZE) {
            throw new IllegalArgumentException("buffer size " + bufSize + " leaves no room after the virtio-net header");
        }
    }

    /** The default layout moved to {@code base}. */
    public static GuestLayout at(Gpa base) {
        return new GuestLayout(base, base.plus(RING_SLOT), base.plus(RX_BUFS_AT), base.plus(TX_BUFS_AT), QUEUE_SIZE,
                BUF_SIZE);
    }

    /** Queue {@code d} (0 rx, 1 tx) of pair {@code k} ≥ 1: its index among the extra slots and pools. */
    private static int extra(int k, int d) {
        if (k < 1 || k >= MAX_PAIRS) {
            throw new IllegalArgumentException("queue pair " + k + " out of range 0.." + (MAX_PAIRS - 1));
        }
        return 2 * (k - 1) + d;
    }

    public Gpa rxRing(int pair) {
        return pair == 0 ? rxRing : rxRing.plus(EXTRA_AT + extra(pair, 0) * RING_SLOT);
    }

    public Gpa txRing(int pair) {
        return pair == 0 ? txRing : rxRing.plus(EXTRA_AT + extra(pair, 1) * RING_SLOT);
    }

    public Gpa rxBufs(int pair) {
        return pair == 0 ? rxBufs : rxRing.plus(EXTRA_POOLS_AT + extra(pair, 0) * poolBytes());
    }

    public Gpa txBufs(int pair) {
        return pair == 0 ? txBufs : rxRing.plus(EXTRA_POOLS_AT + extra(pair, 1) * poolBytes());
    }

    /** The control queue's ring slot. */
    public Gpa ctrlRing() {
        return rxRing.plus(EXTRA_AT + EXTRA_SLOTS * RING_SLOT);
    }

    /** The control queue's command and ack buffers (one ring slot's worth). */
    public Gpa ctrlBufs() {
        return rxRing.plus(EXTRA_AT + (EXTRA_SLOTS + 1) * RING_SLOT);
    }

    /**
     * The first GPA past the buffers of the last extra pair (the highest thing the layout places for
     * more than one pair), for checks that it fits in guest RAM; with one pair, past pair 0's TX buffers.
     */
    public Gpa end(int pairs) {
        return pairs > 1 ? txBufs(pairs - 1).plus(poolBytes()) : txBufs.plus(poolBytes());
    }

    /** Bytes of one buffer pool. */
    public long poolBytes() {
        return (long) queueSize * bufSize;
    }
}
