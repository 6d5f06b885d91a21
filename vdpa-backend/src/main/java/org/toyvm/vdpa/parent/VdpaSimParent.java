package org.toyvm.vdpa.parent;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * A parent in the style of vdpa_sim (drivers/vdpa/vdpa_sim/vdpa_sim.c): a per-ASID table
 * ({@code vdpasim->iommu[asid]}) inside the parent, in one of the two shapes the module parameter
 * {@code batch_mapping} picks in {@code vdpasim_create}:
 * <ul>
 * <li>{@code batch_mapping=1}, as shipped: {@code vdpasim_batch_config_ops}, a {@code set_map} of the
 *     whole table ({@code vdpasim_set_map}: reset the table, clear {@code iommu_pt}, copy every entry);
 * <li>{@code batch_mapping=0}: {@code vdpasim_config_ops}, {@code dma_map} / {@code dma_unmap} entry by
 *     entry ({@code vdpasim_dma_map}, {@code vdpasim_dma_unmap}).
 * </ul>
 * From 6.3 ("vdpa_sim: get rid of DMA ops") each address space starts as an identity map
 * ({@code iommu_pt}), dropped by the first set_map, dma_map or dma_unmap, and restored by
 * {@code reset_map} (6.7+) and by a reset that cleans the map (any reset before 6.7). On 6.1 a reset
 * empties the table instead ({@code vhost_iotlb_reset}): an address space starts with no translation.
 * With {@code use_va} (6.3+, on as shipped) the device is in VA mode: {@link #usesVa()} is true and
 * vhost-vdpa maps user virtual addresses without pinning.
 */
public final class VdpaSimParent extends AbstractParent implements MappingStyle.DmaMapOps {
    private final MappingStyle style;
    private final boolean usesVa;
    private final boolean batched;
    // Per address space: the kernel table the last set_map copied and its change number then, so that
    // a set_map of the same table replays the changes since instead of copying every entry again
    // (vhost-vdpa calls set_map after each UPDATE outside a batch).
    private final VhostIotlb[] copiedFrom;
    private final long[] copiedAtSeq;

    VdpaSimParent(VirtioNetHardware hw, KernelVersion version, CostMeter meter, KernelCounters counters,
            boolean batched, boolean usesVa) {
        super(hw, version, meter, counters, Math.max(1, hw.numAddressSpaces()), initial(version));
        this.batched = batched;
        this.usesVa = usesVa;
        copiedFrom = new VhostIotlb[as.length];
        copiedAtSeq = new long[as.length];
        style = batched ? new MappingStyle.SetMap(this::setMap) : new MappingStyle.DmaMap(this);
    }

    /** What a reset leaves in each address space: identity from 6.3, an empty table on 6.1. */
    private static Translation.State initial(KernelVersion version) {
        return version.vdpaSimPassthroughAtReset() ? Translation.State.IDENTITY : Translation.State.NONE;
    }

    @Override
    public MappingStyle mappingStyle() {
        return style;
    }

    @Override
    public ParentKind kind() {
        return ParentKind.VDPA_SIM;
    }

    /** {@code use_va}: the device was allocated with {@code use_va} (vdpa_alloc_device(..., use_va)). */
    @Override
    public boolean usesVa() {
        return usesVa;
    }

    /** The {@code batch_mapping} the parent was created with. */
    public boolean batched() {
        return batched;
    }

    /**
     * {@code vdpasim_set_map}: {@code vhost_iotlb_reset}, {@code iommu_pt[asid] = false}, then every entry
     * of the table copied with {@code vhost_iotlb_add_range}. An empty table leaves the address space
     * with no translation (not the identity). Charged one {@code dma_map_call} per entry copied
     * (assumption: the same bookkeeping per entry as a dma_map).
     */
    private Errno setMap(int asid, VhostIotlb table) {
        if (asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.SET_MAP);
        meter.chargeUnits(CostKind.DMA_MAP_CALL, table.size());
        Translation t = as[asid];
        if (t.state() == Translation.State.TABLE && copiedFrom[asid] == table
                && table.replayInto(t.table(), copiedAtSeq[asid])) {
            t.changed();
        } else {
            t.setTable(table.copy());
        }
        copiedFrom[asid] = table;
        copiedAtSeq[asid] = table.changeSeq();
        return Errno.OK;
    }

    /**
     * {@code vdpasim_dma_map}: drops the identity map first ({@code iommu_pt}, 6.3+), then
     * {@code vhost_iotlb_add_range_ctx}, which checks {@code last < start} and nothing else: a parent
     * never refuses an overlapping range (vhost-vdpa refuses it before, with -EEXIST, in
     * {@code vhost_vdpa_process_iotlb_update}). The model's table holds disjoint entries, so an overlap
     * that reaches it anyway (only a caller bypassing vhost-vdpa can make one) replaces the entries it
     * overlaps.
     */
    @Override
    public Errno dmaMap(int asid, long iova, long size, long addr, int perm) {
        if (asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.DMA_MAP);
        meter.chargeUnits(CostKind.DMA_MAP_CALL, 1);
        long last = iova + size - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            return Errno.EFAULT; // vhost_iotlb_add_range_ctx: last < start
        }
        Translation t = leavePassthrough(asid);
        t.table().removeOverlapping(iova, last);
        t.table().add(iova, last, addr, perm);
        t.changed();
        return Errno.OK;
    }

    /**
     * {@code vdpasim_dma_unmap}: drops the identity map first (6.3+: an unmap on a fresh address space
     * leaves it empty, not identity), then {@code vhost_iotlb_del_range}.
     */
    @Override
    public Errno dmaUnmap(int asid, long iova, long size) {
        if (asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.DMA_UNMAP);
        meter.chargeUnits(CostKind.DMA_MAP_CALL, 1);
        Translation t = leavePassthrough(asid);
        if (size != 0) {
            t.table().removeOverlapping(iova, iova + size - 1);
            t.changed();
        }
        return Errno.OK;
    }

    /** {@code if (vdpasim->iommu_pt[asid]) { vhost_iotlb_reset(...); iommu_pt[asid] = false; }}. */
    private Translation leavePassthrough(int asid) {
        Translation t = as[asid];
        if (t.state() != Translation.State.TABLE) {
            t.setTable(new VhostIotlb());
        }
        return t;
    }

    /** {@code vdpasim_reset_map}: back to the identity map (6.7+; a no-op when it already is). */
    @Override
    public Errno resetMap(int asid) {
        if (!hasResetMap() || asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.RESET_MAP);
        as[asid].setIdentity();
        return Errno.OK;
    }

    @Override
    public void reset() {
        counters.inc(KernelEvent.RESET);
        resetHardware();
        if (!version.hasIotlbPersist()) { // before 6.7 every reset cleans the map
            cleanMaps();
        }
    }

    @Override
    public void compatReset(int flags) {
        counters.inc(KernelEvent.COMPAT_RESET);
        resetHardware();
        if ((flags & VhostUapi.VDPA_RESET_F_CLEAN_MAP) != 0) {
            cleanMaps();
        }
    }

    /** {@code vdpasim_do_reset}'s map half: identity from 6.3, an empty table before. */
    private void cleanMaps() {
        for (Translation t : as) {
            if (version.vdpaSimPassthroughAtReset()) {
                t.setIdentity();
            } else {
                t.setNone();
            }
        }
    }

    @Override
    public boolean hasDescGroup() {
        return false;
    }

    @Override
    public AddrRange iovaRange() {
        return AddrRange.ALL;
    }
}
