package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;

/**
 * What the shadowed control queue adds to a reboot (the guest's status 0, then its DRIVER_OK) on
 * mlx5 / 6.12 / master with the default profile: its ioctls, its eight single IOTLB writes (four
 * UPDATEs at the start, four INVALIDATEs at the reset), the pins of its four pages and one
 * {@code cvq_command} per state-load command — all inside the reset and DRIVER_OK exits, so in the
 * vCPU freeze and the downtime.
 */
class ShadowCvqCostTest {
    private static Map<CostKind, Long> reboot(long features) {
        CostMeter meter = new CostMeter(CostProfile.defaults());
        try (FrontendFixture f = new FrontendFixture(QemuVersion.MASTER, KernelVersion.V6_12, ParentKind.MLX5,
                ResetPolicy.PERSIST, null, meter)) {
            GuestCvq g = new GuestCvq(f, VirtioNetNic.CTRL);
            g.start(features);
            Map<CostKind, Long> before = new EnumMap<>(CostKind.class);
            for (CostKind k : CostKind.values()) {
                before.put(k, meter.total(k));
            }
            f.reset();
            f.reset();
            g.start(features);
            Map<CostKind, Long> d = new EnumMap<>(CostKind.class);
            for (CostKind k : CostKind.values()) {
                d.put(k, meter.total(k) - before.get(k));
            }
            return d;
        }
    }

    @Test
    void theShadowCvqAddsItsIoctlsItsEightWritesItsPinsAndTwoCommandsToAReboot() {
        long withCvq = GuestCvq.FEATURES;
        long without = withCvq & ~VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VQ);
        Map<CostKind, Long> a = reboot(without);
        Map<CostKind, Long> b = reboot(withCvq);
        CostProfile p = CostProfile.defaults();
        assertEquals(2 * p.cvqCommandNs(), b.get(CostKind.CVQ_COMMAND) - a.get(CostKind.CVQ_COMMAND),
                "MAC_ADDR_SET and VQ_PAIRS_SET(1)");
        assertEquals(8 * p.iotlbWriteNs(), b.get(CostKind.IOTLB_WRITE) - a.get(CostKind.IOTLB_WRITE),
                "persist keeps guest RAM mapped, but the CVQ's four ASID-1 maps go and come back");
        // GET_VRING_GROUP, SET_GROUP_ASID, SET_VRING_NUM/BASE/KICK/CALL/ADDR and ENABLE of the CVQ.
        assertEquals(8 * p.ioctlNs(), b.get(CostKind.IOCTL) - a.get(CostKind.IOCTL));
        assertEquals(4 * p.pinPerPageNs(), b.get(CostKind.PIN) - a.get(CostKind.PIN), "two buffers, two pages of a 64-entry ring");
        assertEquals(4 * p.unpinPerPageNs(), b.get(CostKind.UNPIN) - a.get(CostKind.UNPIN));
    }
}
