package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;

/**
 * The guest's DRIVER_OK exit on a whole machine: the NIC starts when set_status reaches the parent,
 * after the pinning and mapping of all RAM (legacy) that the exit did first — within microseconds
 * of the vCPU thawing — and not at the exit's start.
 */
class CausalDriverOkTest {
    @Test
    void theNicStartsWhenTheDriverOkExitEndsNotWhenItBegins() {
        VirtualScheduler s = new VirtualScheduler();
        InProcessWire wire = new InProcessWire(s, 0);
        MacAddress mac = MacAddress.parse("52:54:00:12:34:56");
        Machine m = new Machine(new MachineConfig(1L << 30, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.LEGACY,
                CostProfile.defaults(), mac), s, wire.endA(), IotlbTraceSink.NONE);
        long[] driverOk = {-1, -1};
        ToyGuest guest = new ToyGuest(m, mac, Ipv4Cidr.parse("192.168.77.2/24"),
                Ipv4Address.parse("192.168.77.1"), 10_000_000L, 2_000_000_000L, new GuestEvents() {
            @Override
            public void driverOk(long t, long doneAt) {
                driverOk[0] = t;
                driverOk[1] = doneAt;
            }
        }, PooledByteBufAllocator.DEFAULT);
        try {
            guest.powerOn();
            s.runUntil(Long.MAX_VALUE, () -> driverOk[0] >= 0);
            long doneAt = driverOk[1];
            assertTrue(doneAt - driverOk[0] > 10_000_000L, "1 GiB legacy: the DRIVER_OK exit lasts "
                    + (doneAt - driverOk[0]) + " ns");
            assertTrue(m.nic().startPending(), "DRIVER_OK has not reached the NIC at the exit's start");
            // set_status reaches the parent after the pinning and mapping; only the few ioctls QEMU
            // issues after it (microseconds) are left of the exit then.
            s.runUntil(doneAt - 100_000L);
            assertTrue(m.nic().startPending(), "not started 100 us before the exit ends");
            s.runUntil(doneAt);
            assertFalse(m.nic().startPending(), "the NIC runs once the mapping is done");
            assertEquals(doneAt, guest.busyUntil(), "the vCPU thaws at the exit's end");
        } finally {
            guest.shutdown();
            m.close();
            s.runUntil(s.now() + 1_000_000_000L, () -> s.pendingTasks() == 0);
            wire.endA().close();
            wire.endB().close();
        }
    }
}
