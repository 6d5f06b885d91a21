package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

class PinningTest {
    @Test
    void eachPhysicallyContiguousRunIsOneEntry() {
        // 4 KiB shmem pages: INVALIDATE of the middle 4 KiB of a 1 MiB UPDATE unpins exactly 4 KiB
        // (observed on Linux 6.1 and 6.12).
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.VDPA_SIM, 1L << 20);
        k.ackBackend(false);
        RamBlock shm = k.mm.map("shm", 1L << 20, 4096);
        assertEquals(72, k.write(VhostMsgV2.update(0, Iova.of(0x100000), 1L << 20, shm.base(), 3)).rc());
        assertEquals(256, k.dev.iotlb(0).size());
        assertEquals(256, k.mm.pinnedPages());
        assertEquals(72, k.invalidate(0x100000 + 0x80000, 0x1000).rc());
        assertEquals(255, k.mm.pinnedPages());
        assertEquals(255, shm.pins().pinnedPages());
    }

    @Test
    void fourTebibyteGuestMapsAndUnmapsAsOneRange() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.MLX5, 4L << 40);
        k.ackBackend(true);
        long pages = (4L << 40) / 4096;
        assertEquals(72, k.write(VhostMsgV2.batchBegin(0)).rc());
        assertEquals(72, k.update(0, 4L << 40, 0, VhostUapi.VHOST_ACCESS_RW).rc());
        assertEquals(72, k.write(VhostMsgV2.batchEnd(0)).rc());
        assertEquals(pages, k.mm.pinnedPages());
        assertEquals(1, k.ram.pins().segments(), "pins are kept per range, not per page");
        assertTrue(k.reachesRam((4L << 40) - 1));
        // The modelled cost of pinning 4 TiB at 76 ns/page is charged (about 80 s of virtual time).
        assertEquals(pages * 76, k.meter.total(org.toyvm.core.cost.CostKind.PIN));
        assertEquals(72, k.invalidate(0, 4L << 40).rc());
        assertEquals(0, k.mm.pinnedPages());
        assertEquals(0, k.ram.pins().segments());
    }

    @Test
    void pinnedCountIsPerProcessAcrossDevices() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.VDPA_SIM, 1L << 20);
        k.ackBackend(false);
        FakeNetHardware hw2 = new FakeNetHardware();
        VhostVdpaDevice second = new VhostVdpaDevice("vhost-vdpa-1", KernelVersion.V6_7,
                org.toyvm.vdpa.parent.VdpaParents.create(org.toyvm.vdpa.bus.ParentSpec.vdpaSim(false, false), hw2, KernelVersion.V6_7, k.meter,
                        k.counters), k.mm, k.meter, k.counters);
        second.open();
        second.setOwner();
        assertEquals(72, k.update(0, 1L << 20, 0, 3).rc());
        assertEquals(72, second.write(VhostMsgV2.update(0, Iova.of(0), 1L << 20, k.ram.base(), 3).encode()).rc());
        assertEquals(512, k.mm.pinnedPages(), "two devices pinning the same memory count twice in one mm");
        assertEquals(2, k.ram.pins().countAt(0));
        second.close();
        assertEquals(256, k.mm.pinnedPages());
    }
}
