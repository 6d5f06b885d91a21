package org.toyvm.vm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.net.device.VirtioMmioLayout;
import org.toyvm.net.device.VirtioNetDevice;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.stack.MacAddress;

/** A machine of several NICs: one slot each, at fixed strides, in one process. */
class SeveralNicsMachineTest {
    private static Machine machine(int nics, VirtualScheduler s) {
        MachineConfig c = new MachineConfig(1L << 30, KernelVersion.V6_12, ParentKind.MLX5, ResetPolicy.PERSIST,
                CostProfile.zero(), MacAddress.parse("52:54:00:12:34:56"));
        c = new MachineConfig(c.memoryBytes(), c.kernel(), c.parent(), c.policy(), c.costs(), c.mac(), c.qemu(),
                c.memoryBackend(), NetTopology.SINGLE.withNics(nics));
        List<WirePort> ports = new java.util.ArrayList<>();
        for (int n = 0; n < nics; n++) {
            ports.add(new InProcessWire(s, 0).endA());
        }
        return new Machine(c, s, ports, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT);
    }

    @Test
    void eachNicHasItsOwnDeviceWindowAndDoorbellAtFixedStrides() {
        VirtualScheduler s = new VirtualScheduler();
        Machine m = machine(3, s);
        try {
            assertEquals(3, m.nics().size());
            for (NetSlot slot : m.nics()) {
                int n = slot.index();
                assertEquals("vhost-vdpa-" + n, slot.name());
                assertEquals(Machine.VIRTIO_MMIO_BASE + n * 0x2000L, slot.mmioBase());
                assertEquals(slot.mmioBase() + VirtioMmioLayout.WINDOW_SIZE, slot.doorbellBase());
                // The guest finds a virtio-net device in each window.
                assertEquals(VirtioMmioLayout.MAGIC, m.systemMemory().readValue(slot.mmioBase()
                        + VirtioMmioLayout.MAGIC_VALUE, 4).value());
                assertEquals(VirtioNetDevice.VIRTIO_ID_NET, m.systemMemory().readValue(slot.mmioBase()
                        + VirtioMmioLayout.DEVICE_ID, 4).value());
            }
            assertNotSame(m.slot(0).vhostDevice(), m.slot(1).vhostDevice());
            assertNotSame(m.slot(0).parent(), m.slot(1).parent());
            assertNotSame(m.slot(0).kernelCounters(), m.slot(1).kernelCounters());
            // NIC 0 stays what the single-NIC accessors answer.
            assertSame(m.slot(0).frontend(), m.frontend());
            assertSame(m.slot(0).nic(), m.nic());
            assertSame(m.slot(0).kernelCounters(), m.kernelCounters());
            assertEquals(MacAddress.parse("52:54:00:12:34:58").value(), m.slot(2).nic().mac());
        } finally {
            m.close();
        }
    }

    @Test
    void theProcessMemlockLimitIsLibvirtsRuleForAllItsNics() {
        VirtualScheduler s = new VirtualScheduler();
        Machine m = machine(2, s);
        try {
            assertEquals((1L << 30) + 2 * (1L << 30), m.hostMemory().memlockLimitBytes());
        } finally {
            m.close();
        }
    }

    @Test
    void aMachineNeedsOnePortPerNic() {
        VirtualScheduler s = new VirtualScheduler();
        MachineConfig c = new MachineConfig(1L << 30, KernelVersion.V6_12, ParentKind.MLX5, ResetPolicy.PERSIST,
                CostProfile.zero(), MacAddress.parse("52:54:00:12:34:56"));
        MachineConfig two = new MachineConfig(c.memoryBytes(), c.kernel(), c.parent(), c.policy(), c.costs(), c.mac(),
                c.qemu(), c.memoryBackend(), NetTopology.SINGLE.withNics(2));
        assertThrows(IllegalArgumentException.class, () -> new Machine(two, s, new InProcessWire(s, 0).endA(),
                IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT));
    }
}
