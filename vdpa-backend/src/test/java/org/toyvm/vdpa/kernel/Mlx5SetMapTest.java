package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.VhostMsgV2;

/**
 * mlx5's set_map runs after every per-page entry outside a batch (vhost_vdpa_map: set_map unless
 * in_batch): the MR it builds must equal vhost-vdpa's table after each message, however it is kept
 * up to date.
 */
class Mlx5SetMapTest {
    @Test
    void mrEqualsTheKernelTableAfterEveryUnbatchedMessage() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.MLX5, 1L << 20);
        k.ackBackend(true);
        RamBlock shm = k.mm.map("shm", 4L << 20, 4096);
        long base = shm.base().value();
        assertEquals(72, k.write(VhostMsgV2.update(0, Iova.of(0x100000), 2L << 20, Hva.of(base), 3)).rc());
        assertMrEqualsTable(k, 0x100000, 0x400000);
        assertEquals(72, k.invalidate(0x180000, 0x3000).rc());
        assertMrEqualsTable(k, 0x100000, 0x400000);
        assertEquals(72, k.write(VhostMsgV2.update(0, Iova.of(0x180000), 0x3000, Hva.of(base + 0x80000), 1)).rc());
        assertEquals(72, k.write(VhostMsgV2.update(0, Iova.of(0x300000), 1L << 20, Hva.of(base + (2L << 20)), 2)).rc());
        assertMrEqualsTable(k, 0x100000, 0x400000);
        assertEquals(0, k.dev.setStatus(0).rc()); // PERSIST acked: the MR stays
        assertMrEqualsTable(k, 0x100000, 0x400000);
        assertEquals(72, k.invalidate(0, 0).rc()); // all of 2^64: the MR goes away
        assertEquals(null, k.seen(0x100000));
        assertEquals(72, k.write(VhostMsgV2.update(0, Iova.of(0x100000), 0x2000, Hva.of(base), 3)).rc());
        assertMrEqualsTable(k, 0x100000, 0x400000);
    }

    private static void assertMrEqualsTable(KernelFixture k, long from, long to) {
        for (long iova = from - 0x1000; iova < to; iova += 0x800) {
            DmaEntry want = k.dev.iotlb(0).find(iova);
            DmaEntry got = k.seen(iova);
            assertEquals(want, got, "iova 0x" + Long.toHexString(iova));
        }
    }
}
