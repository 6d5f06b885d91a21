package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.net.VirtioNetNic;

/** The ring surface's own oracles can fire: they are not vacuous. */
class RingSurfaceTest {
    private static final long DESC = 0x4000;
    private static final long AVAIL = DESC + SplitRing.descTableSize(16);
    private static final long USED = (AVAIL + SplitRing.availSize(16) + 3) & ~3L;

    private static List<RingSteps.Step> txOf(long buffer, int len, long... pokes) {
        int[] perms = new int[RingSurface.PAGES];
        Arrays.fill(perms, DmaEntry.PERM_RW);
        List<RingSteps.Step> s = new java.util.ArrayList<>(List.of(new RingSteps.Setup(false, false, perms),
                new RingSteps.Queue(VirtioNetNic.TX, 16, DESC, AVAIL, USED, true),
                new RingSteps.Status(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                        | VirtioStatus.DRIVER_OK)));
        for (int i = 0; i < pokes.length; i++) {
            s.add(new RingSteps.Poke(buffer + 12 + 8L * i, pokes[i]));
        }
        s.add(new RingSteps.Desc(DESC, 0, buffer, len, 0, 0));
        s.add(new RingSteps.Avail(AVAIL, 0, 0));
        s.add(new RingSteps.AvailIdx(AVAIL, 1));
        s.add(new RingSteps.Kick(VirtioNetNic.TX));
        return s;
    }

    @Test
    void anOrdinaryFrameIsSent() throws Throwable {
        String outcome = new RingSurface().run(txOf(0x10000, 12 + 60, 0x1122334455667788L));
        assertEquals("tx=1", outcome.substring(0, 4), outcome);
    }

    @Test
    void markerBytesInATxFrameAreReportedAsAForbiddenRead() {
        long marker = 0xa5a5_a5a5_a5a5_a5a5L;
        OracleFailure f = assertThrows(OracleFailure.class,
                () -> new RingSurface().run(txOf(0x10000, 12 + 60, marker, marker, marker)));
        assertEquals("dma-read-outside-readable-mapping", f.oracle());
    }
}
