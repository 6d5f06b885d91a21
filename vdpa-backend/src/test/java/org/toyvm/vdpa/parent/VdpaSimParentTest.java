package org.toyvm.vdpa.parent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.kernel.FakeNetHardware;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostUapi;

/** vdpa_sim as shipped (batch_mapping=1, use_va=1) and with its options, per generation. */
class VdpaSimParentTest {
    private final KernelCounters counters = new KernelCounters();

    private VdpaParent sim(String spec, KernelVersion v) {
        return VdpaParents.create(ParentSpec.parse(spec), new FakeNetHardware(), v,
                new CostMeter(CostProfile.defaults()), counters);
    }

    private static DmaEntry at(VdpaParent p, int asid, long iova) {
        return p.translation(asid).find(Iova.of(iova));
    }

    private static VhostIotlb table(long... startLastAddr) {
        VhostIotlb t = new VhostIotlb();
        for (int i = 0; i < startLastAddr.length; i += 3) {
            t.add(startLastAddr[i], startLastAddr[i + 1], startLastAddr[i + 2], VhostUapi.VHOST_ACCESS_RW);
        }
        return t;
    }

    @Test
    void asShippedItTakesWholeTablesInVaMode() {
        VdpaParent p = sim("vdpa-sim", KernelVersion.V6_12);
        assertTrue(p.usesVa());
        MappingStyle.SetMap style = p.mappingStyle().fold(d -> null, s -> s, i -> null);
        assertTrue(style != null, "batch_mapping=1: set_map, no dma_map");
        assertTrue(at(p, 0, 0x1000).identity(), "passthrough after create (6.3+)");
        VhostIotlb t = table(0x1000, 0x1fff, 0x7000_0000L);
        assertEquals(Errno.OK, style.ops().setMap(0, t));
        assertEquals(0x7000_0000L, at(p, 0, 0x1000).translate(0x1000));
        assertNull(at(p, 0, 0x2000));
        assertTrue(at(p, 1, 0x2000).identity(), "ASID 1 untouched");
        // vdpasim_set_map: vhost_iotlb_reset, iommu_pt = false, copy: an empty table leaves nothing.
        assertEquals(Errno.OK, style.ops().setMap(0, new VhostIotlb()));
        assertNull(at(p, 0, 0x1000));
        assertEquals(Errno.OK, p.resetMap(0));
        assertTrue(at(p, 0, 0x1000).identity(), "vdpasim_reset_map restores the passthrough map");
        assertEquals(Errno.EINVAL, style.ops().setMap(2, t));
    }

    @Test
    void setMapFollowsLaterChangesOfTheSameTable() {
        VdpaParent p = sim("vdpa-sim", KernelVersion.V6_7);
        MappingStyle.SetMap style = p.mappingStyle().fold(d -> null, s -> s, i -> null);
        VhostIotlb t = table(0x1000, 0x1fff, 0x10_0000);
        style.ops().setMap(0, t);
        t.add(0x3000, 0x3fff, 0x30_0000, VhostUapi.VHOST_ACCESS_RW);
        t.removeOverlapping(0x1000, 0x1fff);
        style.ops().setMap(0, t);
        assertNull(at(p, 0, 0x1000));
        assertEquals(0x30_0000, at(p, 0, 0x3000).translate(0x3000));
        assertEquals(2, counters.get(KernelEvent.SET_MAP));
    }

    @Test
    void withoutBatchMappingItTakesEntriesAndNeverRefusesAnOverlap() {
        VdpaParent p = sim("vdpa-sim,batch_mapping=off,use_va=off", KernelVersion.V6_7);
        assertFalse(p.usesVa());
        MappingStyle.DmaMapOps ops = p.mappingStyle().fold(MappingStyle.DmaMap::ops, s -> null, i -> null);
        assertEquals(Errno.OK, ops.dmaMap(0, 0x1000, 0x2000, 0x10_0000, VhostUapi.VHOST_ACCESS_RW));
        assertNull(at(p, 0, 0x8000), "the first dma_map empties the passthrough map");
        // vhost_iotlb_add_range_ctx has no overlap check (vhost-vdpa's EEXIST is before the parent).
        assertEquals(Errno.OK, ops.dmaMap(0, 0x2000, 0x1000, 0x20_0000, VhostUapi.VHOST_ACCESS_RW));
        assertEquals(0x20_0000, at(p, 0, 0x2000).translate(0x2000));
        assertEquals(Errno.EFAULT, ops.dmaMap(0, -0x1000L, 0x2000, 0, VhostUapi.VHOST_ACCESS_RW),
                "last < start (the range wraps)");
    }

    @Test
    void dmaUnmapOnAFreshAddressSpaceFirstEmptiesThePassthroughMap() {
        VdpaParent p = sim("vdpa-sim,batch_mapping=off", KernelVersion.V6_7);
        MappingStyle.DmaMapOps ops = p.mappingStyle().fold(MappingStyle.DmaMap::ops, s -> null, i -> null);
        assertTrue(at(p, 1, 0x5000).identity());
        assertEquals(Errno.OK, ops.dmaUnmap(1, 0x1000, 0x1000));
        assertNull(at(p, 1, 0x5000), "vdpasim_dma_unmap: iommu_pt dropped, the table is empty");
        assertTrue(at(p, 0, 0x5000).identity(), "only that address space");
    }

    @Test
    void before63TheSimulatorHasNoPassthroughMapAndNoVaMode() {
        VdpaParent p = sim("vdpa-sim,use_va=on", KernelVersion.V6_1);
        assertFalse(p.usesVa(), "modprobe ignores an unknown parameter");
        assertNull(at(p, 0, 0x1000), "6.1: a fresh address space translates nothing");
        MappingStyle.SetMap style = p.mappingStyle().fold(d -> null, s -> s, i -> null);
        style.ops().setMap(0, table(0x1000, 0x1fff, 0x10_0000));
        p.reset();
        assertNull(at(p, 0, 0x1000), "vdpasim_do_reset empties the table");
    }
}
