package org.toyvm.vdpa.kernel;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.uapi.Errno;

/**
 * What vhost-vdpa does with each {@link MappingStyle}: the three branches of drivers/vhost/vdpa.c
 * {@code vhost_vdpa_map}, {@code vhost_vdpa_general_unmap} and the {@code set_map} calls of
 * {@code vhost_vdpa_unmap} and BATCH_END. Made once per device from the parent's style by the
 * exhaustive {@link MappingStyle#fold}; no parent class is named here.
 */
sealed interface ParentMapper permits ParentMapper.PerEntry, ParentMapper.WholeTable, ParentMapper.Domain {

    static ParentMapper of(MappingStyle style) {
        return style.fold(d -> new PerEntry(d.ops()), s -> new WholeTable(s.ops()),
                i -> new Domain(i.domain(), i.aperture()));
    }

    /** vhost_vdpa_map of one new table entry; a set_map parent waits for the batch's end. */
    Errno map(int asid, VhostIotlb table, DmaEntry e, boolean inBatch);

    /** vhost_vdpa_general_unmap of one entry leaving the table. */
    void unmap(int asid, DmaEntry e);

    /** The whole table changed (after an INVALIDATE outside a batch, or at BATCH_END): set_map's moment. */
    void tableChanged(int asid, VhostIotlb table);

    /** No map op of the parent's own: the domain is vhost-vdpa's, so no device reset drops it. */
    boolean survivesDeviceReset();

    /** vhost_vdpa_set_iova_range without get_iova_range: the domain aperture, else everything. */
    AddrRange fallbackIovaRange();

    private static long size(DmaEntry e) {
        return e.last() - e.start() + 1;
    }

    /** {@code ops->dma_map}: every entry goes to the parent as it is added or removed. */
    record PerEntry(MappingStyle.DmaMapOps ops) implements ParentMapper {
        @Override
        public Errno map(int asid, VhostIotlb table, DmaEntry e, boolean inBatch) {
            return ops.dmaMap(asid, e.start(), size(e), e.addr(), e.perm());
        }

        @Override
        public void unmap(int asid, DmaEntry e) {
            ops.dmaUnmap(asid, e.start(), size(e));
        }

        @Override
        public void tableChanged(int asid, VhostIotlb table) {
            // dma_map parents already have every change
        }

        @Override
        public boolean survivesDeviceReset() {
            return false;
        }

        @Override
        public AddrRange fallbackIovaRange() {
            return AddrRange.ALL;
        }
    }

    /** {@code ops->set_map}: the parent gets the whole table, never single entries. */
    record WholeTable(MappingStyle.SetMapOps ops) implements ParentMapper {
        @Override
        public Errno map(int asid, VhostIotlb table, DmaEntry e, boolean inBatch) {
            return inBatch ? Errno.OK : ops.setMap(asid, table);
        }

        @Override
        public void unmap(int asid, DmaEntry e) {
            // the next set_map carries the removal
        }

        @Override
        public void tableChanged(int asid, VhostIotlb table) {
            ops.setMap(asid, table);
        }

        @Override
        public boolean survivesDeviceReset() {
            return false;
        }

        @Override
        public AddrRange fallbackIovaRange() {
            return AddrRange.ALL;
        }
    }

    /** The platform IOMMU domain vhost-vdpa attached: iommu_map / iommu_unmap per entry. */
    record Domain(MappingStyle.DomainOps domain, AddrRange aperture) implements ParentMapper {
        @Override
        public Errno map(int asid, VhostIotlb table, DmaEntry e, boolean inBatch) {
            domain.iommuMap(e.start(), size(e), e.addr(), iommuFlags(e.perm()));
            return Errno.OK;
        }

        @Override
        public void unmap(int asid, DmaEntry e) {
            domain.iommuUnmap(e);
        }

        @Override
        public void tableChanged(int asid, VhostIotlb table) {
            // the domain already has every change
        }

        @Override
        public boolean survivesDeviceReset() {
            return true;
        }

        @Override
        public AddrRange fallbackIovaRange() {
            return aperture;
        }

        /**
         * perm_to_iommu_flags: RO, WO and RW become IOMMU_READ/WRITE; any other u8 value (0, or bits
         * beyond RW) only WARNs and maps with IOMMU_CACHE alone, so the device may neither read nor
         * write through it.
         */
        static int iommuFlags(int perm) {
            return switch (perm) {
                case DmaEntry.PERM_RO, DmaEntry.PERM_WO, DmaEntry.PERM_RW -> perm;
                default -> DmaEntry.PERM_NONE;
            };
        }
    }
}
