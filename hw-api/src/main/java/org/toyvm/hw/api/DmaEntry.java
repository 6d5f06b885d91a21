package org.toyvm.hw.api;

import org.toyvm.core.addr.U64;

/**
 * One translation a parent holds for its device: IOVAs {@code [start, last]} go to host addresses
 * from {@code addr}, with {@code perm} (uAPI bits: {@link #PERM_RO} device may read,
 * {@link #PERM_WO} device may write).
 *
 * <p>An {@code identity} entry is the 1:1 map a parent falls back to after a cleaning reset (mlx5's
 * DMA MR, vdpa_sim's identity map): it takes an IOVA as a physical address. In the model it never
 * reaches guest RAM, so a DMA through it is a fault, which is what breaks connectivity.
 */
public record DmaEntry(long start, long last, long addr, int perm, boolean identity) {
    public static final int PERM_NONE = 0;
    public static final int PERM_RO = 1;
    public static final int PERM_WO = 2;
    public static final int PERM_RW = 3;

    /** Host address of {@code iova}, which must lie in this entry. */
    public long translate(long iova) {
        return addr + (iova - start);
    }

    public boolean contains(long iova) {
        return U64.le(start, iova) && U64.le(iova, last);
    }

    /** True when this entry allows every access bit in {@code needed}. */
    public boolean allows(int needed) {
        return (perm & needed) == needed;
    }
}
