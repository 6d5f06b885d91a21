package org.toyvm.vm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;
import org.toyvm.vm.stack.MacAddress;

/**
 * The machine's RAM as the vhost-vdpa listener maps it: each section goes Gpa → Iova (equal) and
 * Gpa → Hva (its RAM block's host address), so high RAM — GPA 4 GiB, pc.ram offset 3 GiB — is mapped
 * at IOVA 4 GiB to the host address of offset 3 GiB, and a GPA resolves the same way for the device
 * (through the IOTLB) as for the guest (through {@link GuestRam}).
 */
class MachineMappingTest {
    static final long MEMORY = 8L << 30;
    final VirtualScheduler s = new VirtualScheduler();
    final InProcessWire wire = new InProcessWire(s, 0);
    final List<VhostMsgV2> updates = new ArrayList<>();
    final Machine m = new Machine(new MachineConfig(MEMORY, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.PERSIST,
            CostProfile.zero(), MacAddress.parse("52:54:00:12:34:56")), s, wire.endA(), (t, msg, result) -> {
                if (msg.iotlbType() == VhostUapi.VHOST_IOTLB_UPDATE) {
                    assertEquals("ok", result);
                    updates.add(msg);
                }
            });

    @AfterEach
    void close() {
        m.close();
        wire.endA().close();
        wire.endB().close();
    }

    /** Starts the device the way a driver does, with no queue (the listener registers at DRIVER_OK). */
    private void start() {
        DriverStart.withoutQueues(m);
    }

    @Test
    void eachRamSectionIsMappedAtItsGpaToItsBlocksHostAddress() {
        start();
        long base = m.ram().base().value();
        long low = Machine.BELOW_4G_MAX;
        assertEquals(3, updates.size(), updates.toString());
        assertEquals(List.of(0L, low, base, (long) VhostUapi.VHOST_ACCESS_RW), List.of(updates.get(0).iova().value(),
                updates.get(0).size(), updates.get(0).uaddr().value(), (long) updates.get(0).perm()), "ram-below-4g");
        VhostMsgV2 bios = updates.get(1);
        assertEquals(Machine.FOUR_G - Machine.BIOS_SIZE, bios.iova().value(), "pc.bios");
        assertEquals(VhostUapi.VHOST_ACCESS_RO, bios.perm());
        VhostMsgV2 high = updates.get(2);
        assertEquals(Machine.FOUR_G, high.iova().value(), "ram-above-4g at its GPA");
        assertEquals(MEMORY - low, high.size());
        assertEquals(base + low, high.uaddr().value(), "ram-above-4g from pc.ram offset 3 GiB");
    }

    @Test
    void aHighGpaResolvesToTheSameHostByteForTheGuestAndForTheDevice() {
        start();
        Gpa gpa = Gpa.of(Machine.FOUR_G + 0x12_3450);
        GuestRam.RamSpan span = m.guestRam().span(gpa, 64);
        assertEquals(0x12_3450 + Machine.BELOW_4G_MAX, span.offset(), "guest: GPA 4G+x is pc.ram offset 3G+x");
        Iova iova = m.frontend().iova(gpa);
        DmaEntry e = m.parent().translation(0).find(iova);
        assertNotNull(e);
        assertFalse(e.identity());
        assertEquals(span.block().base().value() + span.offset(), e.translate(iova.value()),
                "device: the IOVA of that GPA translates to the same host address");
    }
}
