package org.toyvm.vdpa.parent;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.ParentKind;

/**
 * A parent without set_map or dma_map (an ifcvf-like device behind the platform IOMMU): vhost-vdpa
 * attaches an IOMMU domain and maps each IOTLB entry into it. The domain belongs to vhost-vdpa, not
 * to the device, so no device reset touches it: mappings survive every reset, on every kernel.
 * One address space (one domain per device); no suspend.
 */
public final class PlatformIommuParent extends AbstractParent {
    /** The IOMMU domain's aperture (48-bit, as a typical x86 IOMMU). */
    public static final AddrRange APERTURE = new AddrRange(0, (1L << 48) - 1);

    private final MappingStyle style;

    PlatformIommuParent(VirtioNetHardware hw, KernelVersion version, CostMeter meter, KernelCounters counters) {
        super(hw, version, meter, counters, 1, Translation.State.TABLE);
        style = new MappingStyle.IommuDomain(new Domain(), APERTURE);
    }

    @Override
    public ParentKind kind() {
        return ParentKind.PLATFORM;
    }

    @Override
    public MappingStyle mappingStyle() {
        return style;
    }

    /**
     * The domain vhost-vdpa attached: the hardware's translation for the one address space. The
     * flags are already IOMMU_READ/WRITE (vhost-vdpa's perm_to_iommu_flags ran before iommu_map).
     */
    private final class Domain implements MappingStyle.DomainOps {
        @Override
        public void iommuMap(long iova, long size, long addr, int iommuFlags) {
            as[0].table().add(iova, iova + size - 1, addr, iommuFlags);
            as[0].changed();
            counters.inc(KernelEvent.IOMMU_MAP);
            meter.chargeUnits(CostKind.IOMMU_MAP, Pages.spanned(iova, size));
        }

        @Override
        public void iommuUnmap(DmaEntry e) {
            as[0].table().removeOverlapping(e.start(), e.last());
            as[0].changed();
            counters.inc(KernelEvent.IOMMU_UNMAP);
            meter.chargeUnits(CostKind.IOMMU_UNMAP, (e.last() - e.start()) / Pages.SIZE + 1);
        }
    }

    @Override
    public boolean hasResetMap() {
        return false;
    }

    @Override
    public boolean hasCompatReset() {
        return false;
    }

    @Override
    public boolean hasSuspend() {
        return false;
    }

    @Override
    public boolean hasResume() {
        return false;
    }

    @Override
    public boolean hasSetGroupAsid() {
        return false;
    }

    @Override
    public boolean hasDescGroup() {
        return false;
    }

    @Override
    public boolean advertisesPersist() {
        return false;
    }

    @Override
    public long extraBackendFeatures() {
        return 0;
    }

    @Override
    public AddrRange iovaRange() {
        return null; // vhost-vdpa falls back to the domain aperture
    }

    @Override
    public void reset() {
        counters.inc(KernelEvent.RESET);
        resetHardware();
    }
}
