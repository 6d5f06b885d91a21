package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/** MISS / ACCESS_FAIL read-back: v2 messages in order, bounded, the oldest dropped and counted. */
class IotlbFaultQueueTest {
    @Test
    void faultsAreReadBackInOrderAsV2Messages() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.VDPA_SIM, 1L << 20);
        k.dev.postIotlbFault(0, 0x1000, VhostUapi.VHOST_ACCESS_RO, false);
        k.dev.postIotlbFault(1, -1L, VhostUapi.VHOST_ACCESS_WO, true);
        VhostMsgV2 miss = VhostMsgV2.decode(k.dev.read().orElseThrow());
        assertEquals(VhostUapi.VHOST_IOTLB_MSG_V2, miss.type());
        assertEquals(VhostUapi.VHOST_IOTLB_MISS, miss.iotlbType());
        assertEquals(0x1000, miss.iova().value());
        assertEquals(VhostUapi.VHOST_ACCESS_RO, miss.perm());
        VhostMsgV2 fail = VhostMsgV2.decode(k.dev.read().orElseThrow());
        assertEquals(VhostUapi.VHOST_IOTLB_ACCESS_FAIL, fail.iotlbType());
        assertEquals(1, fail.asid());
        assertEquals(-1L, fail.iova().value(), "a u64 IOVA comes back whole");
        assertTrue(k.dev.read().isEmpty(), "then EAGAIN");
    }

    @Test
    void aFullQueueDropsTheOldest() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.VDPA_SIM, 1L << 20);
        for (int i = 0; i <= IotlbFaultQueue.CAPACITY; i++) {
            k.dev.postIotlbFault(0, i * 0x1000L, VhostUapi.VHOST_ACCESS_RW, false);
        }
        assertEquals(1, k.dev.readQueueDropped());
        assertEquals(0x1000, VhostMsgV2.decode(k.dev.read().orElseThrow()).iova().value(), "message 0 was dropped");
        int left = 1;
        while (k.dev.read().isPresent()) {
            left++;
        }
        assertEquals(IotlbFaultQueue.CAPACITY, left);
    }
}
