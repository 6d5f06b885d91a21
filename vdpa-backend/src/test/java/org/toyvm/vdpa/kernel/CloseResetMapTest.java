package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/** vhost_vdpa_cleanup calls reset_map (through vhost_vdpa_remove_as) only for address spaces that exist. */
class CloseResetMapTest {
    @Test
    void releaseResetsOnlyTheAddressSpacesThatWereCreated() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.MLX5, 1L << 20);
        k.ackBackend(false);
        // An UPDATE to ASID 1 creates address space 1; ASID 0 is never written.
        assertTrue(k.dev.write(VhostMsgV2.update(1, Iova.of(0), 0x1000, Hva.of(k.ram.base().value()),
                VhostUapi.VHOST_ACCESS_RW).encode()).ok());
        assertNull(k.dev.iotlb(0));
        k.dev.close();
        assertEquals(1, k.counters.get(KernelEvent.RESET_MAP), "reset_map(1) only");
    }
}
