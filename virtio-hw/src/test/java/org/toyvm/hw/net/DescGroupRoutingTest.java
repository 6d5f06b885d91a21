package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.queue.PageTable;

/**
 * The data queues' descriptor group (mlx5_vdpa 6.7+: {@code desc_group_mkey} for the rings,
 * {@code virtio_q_mkey} for the buffers): with it enabled and bound to another address space, the
 * NIC reads and writes each data queue's rings there and its buffers in its group's address space.
 * The fixture's rings are at 0x10000 (rx) and 0x20000 (tx), the buffers at 0x40000 and up.
 */
class DescGroupRoutingTest {
    private static final int DESC_GROUP = NetQueues.DATA_DESC_GROUP;
    private static final long RX_RINGS = 0x10000;
    private static final long TX_RINGS = 0x20000;
    private static final long RING_SPAN = 0x2000;

    /** ASID 0: guest RAM without the ring pages; ASID 1: only the ring pages. */
    private static PageTable splitRings(NicFixture f) {
        PageTable rings = new PageTable();
        long hva = f.ram.base().value();
        for (long at : new long[] {RX_RINGS, TX_RINGS}) {
            f.map.removeOverlapping(at, at + RING_SPAN - 1);
            rings.add(at, at + RING_SPAN - 1, hva + at, DmaEntry.PERM_RW);
        }
        return rings;
    }

    @Test
    void byDefaultTheRingsFollowTheQueuesGroup() {
        try (NicFixture f = new NicFixture()) {
            assertEquals(2, f.nic.numGroups());
            assertEquals(0, f.nic.vqDescGroup(VirtioNetNic.RX));
            assertEquals(1, f.nic.vqDescGroup(f.nic.ctrlQueue()));
            PageTable all = PageTable.pages(NicFixture.RAM, 4096, f.ram.base().value());
            f.nic.setTranslations(asid -> asid == 0 ? f.map : asid == 1 ? all : null);
            f.nic.setGroupAsid(DESC_GROUP, 1); // a group this device does not have: ignored
            f.map.removeOverlapping(TX_RINGS, TX_RINGS + RING_SPAN - 1);
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.publish(tx.single(0x40000, 72, false));
            assertEquals(0, f.received.size(), "the rings are read through ASID 0, where they are not mapped");
            assertTrue(f.nic.dmaFaults() > 0);
        }
    }

    @Test
    void enabledTheDataQueuesRingsHaveAGroupOfTheirOwn() {
        try (NicFixture f = new NicFixture(VirtioNetNic.DEVICE_FEATURES, 2)) {
            assertTrue(f.nic.enableDescGroup());
            assertEquals(3, f.nic.numGroups());
            for (int vq = 0; vq < 4; vq++) {
                assertEquals(DESC_GROUP, f.nic.vqDescGroup(vq), "data queue " + vq);
                assertEquals(0, f.nic.vqGroup(vq), "its buffers stay in the data group");
            }
            assertEquals(1, f.nic.vqDescGroup(f.nic.ctrlQueue()), "the control queue's rings stay in its group");
        }
    }

    @Test
    void ringsInOneAddressSpaceAndBuffersInAnotherCarryTraffic() {
        try (NicFixture f = new NicFixture()) {
            f.nic.enableDescGroup();
            PageTable rings = splitRings(f);
            f.nic.setTranslations(asid -> asid == 0 ? f.map : asid == 1 ? rings : null);
            f.nic.setGroupAsid(DESC_GROUP, 1);
            NicFixture.Ring tx = f.tx();
            NicFixture.Ring rx = f.rx();
            f.start(0, tx, rx);

            byte[] out = NicFixture.frame(60, 7);
            f.putTxBuffer(0x40000, out);
            int head = tx.single(0x40000, 72, false);
            tx.publish(head);
            assertEquals(1, f.received.size());
            assertArrayEquals(out, f.received.get(0));
            assertEquals(head, tx.usedId(0), "the used ring written through ASID 1");

            rx.publish(rx.single(0x50000, 2048, true));
            byte[] in = NicFixture.frame(100, 8);
            f.sendFromWire(in);
            assertEquals(1, rx.usedIdx());
            byte[] got = new byte[100];
            f.ram.read(0x50000 + 12, got, 0, 100);
            assertArrayEquals(in, got, "the buffer written through ASID 0");
            assertEquals(0, f.nic.dmaFaults());
        }
    }

    @Test
    void aRingMappedOnlyInTheDataAddressSpaceFaultsOnceTheDescGroupMoves() {
        try (NicFixture f = new NicFixture()) {
            f.nic.enableDescGroup();
            PageTable empty = new PageTable();
            f.nic.setTranslations(asid -> asid == 0 ? f.map : asid == 1 ? empty : null);
            f.nic.setGroupAsid(DESC_GROUP, 1);
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 9));
            tx.publish(tx.single(0x40000, 72, false));
            assertEquals(0, f.received.size(), "the ring's IOVA is mapped in ASID 0 only");
            assertTrue(f.nic.dmaFaults() > 0, "counted as a DMA fault");
            assertEquals(0, tx.usedIdx());
        }
    }

    @Test
    void theDefaultBindingKeepsEverythingInAddressSpaceZeroAndAResetRestoresIt() {
        try (NicFixture f = new NicFixture()) {
            f.nic.enableDescGroup();
            PageTable empty = new PageTable();
            f.nic.setTranslations(asid -> asid == 0 ? f.map : asid == 1 ? empty : null);
            f.nic.setGroupAsid(DESC_GROUP, 1);
            f.nic.reset(); // every group back in address space 0 (mlx5's init_group_to_asid_map)
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            byte[] out = NicFixture.frame(60, 10);
            f.putTxBuffer(0x40000, out);
            tx.publish(tx.single(0x40000, 72, false));
            assertEquals(1, f.received.size(), "desc group and data group both in ASID 0: as without a desc group");
            assertEquals(0, f.nic.dmaFaults());
        }
    }
}
