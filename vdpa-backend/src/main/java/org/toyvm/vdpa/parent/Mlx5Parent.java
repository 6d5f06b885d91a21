package org.toyvm.vdpa.parent;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.virtio.VirtioStatus;
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
 * An on-chip IOMMU parent in the style of mlx5_vdpa: {@code set_map} hands over the whole table and
 * the device builds a memory region (MR, an mkey) from it.
 *
 * <ul>
 * <li>The MR is built when set_map runs (at BATCH_END), not at DRIVER_OK; an empty table destroys it.
 * <li>Changing the map while DRIVER_OK suspends the queues, destroys and rebuilds the MR, resumes.
 * <li>At creation, after {@code reset_map}, and after a reset that cleans the map, the device has a
 *     1:1 DMA MR (an identity translation: useless for a guest, a DMA through it faults).
 * <li>6.6: every {@code .reset} drops the MR. 6.7: {@code .reset} keeps it and
 *     {@code .compat_reset(CLEAN_MAP)} drops it; {@code reset_map} exists.
 * </ul>
 */
public final class Mlx5Parent extends AbstractParent {
    // Per address space: the kernel table the current MR was built from, and its change number then.
    // The model's MR is a copy of that table; a later set_map of the same table replays the changes
    // since instead of copying every entry again (modelled time is charged as a full rebuild either way).
    private final VhostIotlb[] builtFrom;
    private final long[] builtAtSeq;
    private final MappingStyle style;

    Mlx5Parent(VirtioNetHardware hw, KernelVersion version, CostMeter meter, KernelCounters counters) {
        super(hw, version, meter, counters, Math.max(1, hw.numAddressSpaces()), Translation.State.IDENTITY);
        builtFrom = new VhostIotlb[as.length];
        builtAtSeq = new long[as.length];
        style = new MappingStyle.SetMap(this::setMap);
    }

    @Override
    public ParentKind kind() {
        return ParentKind.MLX5;
    }

    @Override
    public MappingStyle mappingStyle() {
        return style;
    }

    /** {@code mlx5_vdpa_set_map}: destroy the MR and build one from the whole table (suspending a live device). */
    private Errno setMap(int asid, VhostIotlb table) {
        if (asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.SET_MAP);
        boolean live = (hw.status() & VirtioStatus.DRIVER_OK) != 0 && !hw.suspended();
        if (live) {
            suspend();
        }
        destroyMr(asid);
        if (table.isEmpty()) {
            as[asid].setNone();
        } else {
            counters.inc(KernelEvent.MR_BUILD);
            meter.chargeUnits(CostKind.MR_BUILD, gib(table.totalBytes()));
            Translation t = as[asid];
            if (t.state() == Translation.State.TABLE && builtFrom[asid] == table
                    && table.replayInto(t.table(), builtAtSeq[asid])) {
                t.changed();
            } else {
                t.setTable(table.copy());
            }
            builtFrom[asid] = table;
            builtAtSeq[asid] = table.changeSeq();
        }
        if (live) {
            resume();
        }
        return Errno.OK;
    }

    private void destroyMr(int asid) {
        if (as[asid].state() == Translation.State.TABLE) {
            counters.inc(KernelEvent.MR_DESTROY);
            meter.chargeUnits(CostKind.MR_DESTROY, gib(as[asid].table().totalBytes()));
        }
    }

    /** Back to the 1:1 DMA MR. */
    private void dropToDmaMr(int asid) {
        destroyMr(asid);
        as[asid].setIdentity();
    }

    @Override
    public Errno resetMap(int asid) {
        if (!hasResetMap() || asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.RESET_MAP);
        dropToDmaMr(asid);
        return Errno.OK;
    }

    @Override
    public void reset() {
        counters.inc(KernelEvent.RESET);
        resetHardware();
        if (!version.hasIotlbPersist()) { // before 6.7 every reset cleans the map
            for (int i = 0; i < as.length; i++) {
                dropToDmaMr(i);
            }
        }
    }

    @Override
    public void compatReset(int flags) {
        counters.inc(KernelEvent.COMPAT_RESET);
        resetHardware();
        if ((flags & VhostUapi.VDPA_RESET_F_CLEAN_MAP) != 0) {
            for (int i = 0; i < as.length; i++) {
                dropToDmaMr(i);
            }
        }
    }

    @Override
    public boolean hasDescGroup() {
        return version.hasIotlbPersist();
    }

    @Override
    public AddrRange iovaRange() {
        return null;
    }
}
