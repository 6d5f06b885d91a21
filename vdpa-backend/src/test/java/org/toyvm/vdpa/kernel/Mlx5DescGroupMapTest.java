package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * The migration layout of descriptor ASID on mlx5 6.7+ through the kernel model: guest RAM at IOVA =
 * GPA in address space 0 (the data group's), the shadow rings in address space 1 with the descriptor
 * group bound there. Each address space gets its own MR (6.7+, {@code mlx5_vdpa_set_map} per asid),
 * and the hardware is told the descriptor group's address space (mlx5's {@code group2asid}, programmed
 * into each VQ's {@code desc_group_mkey}). The NIC side of the routing is virtio-hw's
 * DescGroupRoutingTest.
 */
class Mlx5DescGroupMapTest {
    private static final long RAM = 4L << 20;
    private static final long RING_IOVA = 0x7f0000000000L; // an IOVA from QEMU's tree, far from guest RAM

    @Test
    void ringsInAddressSpaceOneBuffersInZero() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.MLX5, RAM);
        long acked = VhostUapi.bit(VhostUapi.F_IOTLB_MSG_V2) | VhostUapi.bit(VhostUapi.F_IOTLB_BATCH)
                | VhostUapi.bit(VhostUapi.F_IOTLB_ASID) | VhostUapi.bit(VhostUapi.F_DESC_ASID);
        assertTrue(k.dev.setBackendFeatures(acked).ok());
        assertEquals(2, k.dev.getVringDescGroup(0).value());
        assertTrue(k.dev.setGroupAsid(2, 1).ok());
        RamBlock shadow = k.mm.map("svq", 1L << 16, 4096);

        // Guest RAM in ASID 0, the shadow ring in ASID 1, each in one batch.
        assertEquals(72, k.write(VhostMsgV2.batchBegin(0)).rc());
        assertEquals(72, k.update(0, RAM, 0, VhostUapi.VHOST_ACCESS_RW).rc());
        assertEquals(72, k.write(VhostMsgV2.batchEnd(0)).rc());
        assertEquals(72, k.write(VhostMsgV2.batchBegin(1)).rc());
        assertEquals(72, k.write(VhostMsgV2.update(1, Iova.of(RING_IOVA), 0x3000, shadow.base(),
                VhostUapi.VHOST_ACCESS_RW)).rc());
        assertEquals(72, k.write(VhostMsgV2.batchEnd(1)).rc());
        assertEquals(2, k.counters.get(KernelEvent.MR_BUILD), "one MR per address space");

        assertEquals(1, k.hw.groupAsid[2], "the descriptor group's address space, for desc_group_mkey");
        assertEquals(0, k.hw.groupAsid[0], "the buffers' address space, for virtio_q_mkey");
        DmaEntry ring = k.hw.translations.apply(1).find(Iova.of(RING_IOVA + 0x1000));
        assertNotNull(ring);
        assertEquals(shadow.base().value() + 0x1000, ring.translate(RING_IOVA + 0x1000));
        assertNull(k.hw.translations.apply(1).find(Iova.of(0x1000)), "no guest RAM in the rings' MR");
        assertNull(k.hw.translations.apply(0).find(Iova.of(RING_IOVA)), "no ring in the buffers' MR");
        assertTrue(k.reachesRam(0x1000));
    }

    @Test
    void addressSpaceTwoDoesNotExist() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_12, ParentKind.MLX5, RAM);
        k.ackBackend(false);
        RamBlock shadow = k.mm.map("svq", 1L << 16, 4096);
        assertEquals(-1, k.dev.setGroupAsid(2, 2).rc());
        WriteResult w = k.write(VhostMsgV2.update(2, Iova.of(RING_IOVA), 0x1000, Hva.of(shadow.base().value()),
                VhostUapi.VHOST_ACCESS_RW));
        assertEquals(-1, w.rc(), "an UPDATE for asid 2 >= nas: vhost_vdpa_find_alloc_as fails");
    }
}
