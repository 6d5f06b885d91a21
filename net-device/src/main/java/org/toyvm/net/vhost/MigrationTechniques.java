package org.toyvm.net.vhost;

/**
 * The migration-downtime techniques of Si-Wei Liu's series ("vdpa-net: improve migration downtime
 * through descriptor ASID and persistent IOTLB", qemu-devel, 7 Dec 2023, unmerged; docs/migration.md
 * §2.5), as switches on top of any {@link QemuVersion}. The persistent IOTLB is not here: it is
 * {@link ResetPolicy#PERSIST}.
 *
 * @param earlyMap the memory listener registers at init (right after SET_OWNER, as 10.1's
 *        {@code vhost_vdpa_set_owner} does) whatever the release, so a destination maps guest RAM
 *        before the switchover
 * @param descAsid ack {@code VHOST_BACKEND_F_DESC_ASID} when offered (with IOTLB_ASID) and, at the
 *        switch to shadow virtqueues, move each data VQ's descriptor group to its own address space
 *        ({@code VHOST_VDPA_GET_VRING_DESC_GROUP}, {@code SET_GROUP_ASID(group, }{@link #DESC_ASID}{@code )}):
 *        the shadow rings go there, guest RAM stays at IOVA = GPA in ASID 0 (no unmap/remap of RAM)
 * @param batch the shadow rings' maps/unmaps and the shadow CVQ's buffer maps/unmaps of one vhost
 *        device go inside one BATCH_BEGIN/BATCH_END for their ASID
 *        ({@code vhost_vdpa_dma_batch_begin_once} with {@code iotlb_batch_asid}), not one unbatched
 *        message each
 */
public record MigrationTechniques(boolean earlyMap, boolean descAsid, boolean batch) {
    /** Upstream QEMU: none of them. */
    public static final MigrationTechniques NONE = new MigrationTechniques(false, false, false);

    /**
     * The address space of the shadow rings' descriptor group with {@link #descAsid}: QEMU's own-memory
     * space, the shadow CVQ's ({@code VHOST_VDPA_NET_CVQ_ASID}). mlx5_vdpa has three VQ groups
     * (data, CVQ, data descriptors: {@code MLX5_VDPA_DATAVQ_DESC_GROUP}) but only two address spaces
     * ({@code MLX5_VDPA_NUM_AS} = 2, 6.7 through 6.12), so the descriptor group can only join the CVQ's;
     * the shadow rings and the CVQ buffers share the NIC's IOVA tree, so their IOVAs never collide.
     */
    public static final int DESC_ASID = ShadowCvq.CVQ_ASID;
}
