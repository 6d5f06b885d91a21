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
 * A parent in the style of vdpa_sim (dma_map variant): a per-ASID table inside the parent, changed
 * entry by entry. Each address space starts as an identity map; the first dma_map empties it;
 * {@code reset_map} (6.7+) and a reset that cleans the map (any reset before 6.7) restore identity.
 */
public final class VdpaSimParent extends AbstractParent implements MappingStyle.DmaMapOps {
    private final MappingStyle style;

    VdpaSimParent(VirtioNetHardware hw, KernelVersion version, CostMeter meter, KernelCounters counters) {
        super(hw, version, meter, counters, Math.max(1, hw.numAddressSpaces()), Translation.State.IDENTITY);
        style = new MappingStyle.DmaMap(this);
    }

    @Override
    public MappingStyle mappingStyle() {
        return style;
    }

    @Override
    public ParentKind kind() {
        return ParentKind.VDPA_SIM;
    }

    @Override
    public Errno dmaMap(int asid, long iova, long size, long addr, int perm) {
        if (asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.DMA_MAP);
        meter.chargeUnits(CostKind.DMA_MAP_CALL, 1);
        Translation t = as[asid];
        if (t.state() != Translation.State.TABLE) {
            t.setTable(new VhostIotlb());
        }
        long last = iova + size - 1;
        if (t.table().firstOverlap(iova, last) != null) {
            return Errno.EEXIST;
        }
        t.table().add(iova, last, addr, perm);
        t.changed();
        return Errno.OK;
    }

    @Override
    public Errno dmaUnmap(int asid, long iova, long size) {
        if (asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.DMA_UNMAP);
        meter.chargeUnits(CostKind.DMA_MAP_CALL, 1);
        Translation t = as[asid];
        if (t.state() == Translation.State.TABLE && size != 0) {
            t.table().removeOverlapping(iova, iova + size - 1);
            t.changed();
        }
        return Errno.OK;
    }

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
            for (Translation t : as) {
                t.setIdentity();
            }
        }
    }

    @Override
    public void compatReset(int flags) {
        counters.inc(KernelEvent.COMPAT_RESET);
        resetHardware();
        if ((flags & VhostUapi.VDPA_RESET_F_CLEAN_MAP) != 0) {
            for (Translation t : as) {
                t.setIdentity();
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
