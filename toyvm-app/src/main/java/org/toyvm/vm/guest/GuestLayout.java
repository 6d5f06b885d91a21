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
 * Every address here is a GPA; where it lives in a RAM block is the guest RAM's business
 * ({@link org.toyvm.core.mem.GuestRam}), never assumed from its value.
 */
public record GuestLayout(Gpa rxRing, Gpa txRing, Gpa rxBufs, Gpa txBufs, int queueSize, int bufSize) {
    /** Bytes reserved for one ring (descriptor table, avail and used ring of {@link #queueSize}). */
    public static final long RING_SLOT = 0x1_0000;
    private static final long RX_BUFS_AT = 0x10_0000;
    private static final long TX_BUFS_AT = 0x20_0000;
    public static final int QUEUE_SIZE = 256;
    public static final int BUF_SIZE = 2048;

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

    /** Bytes of one buffer pool. */
    public long poolBytes() {
        return (long) queueSize * bufSize;
    }
}
