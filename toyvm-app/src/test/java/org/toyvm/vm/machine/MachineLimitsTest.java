package org.toyvm.vm.machine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.stack.MacAddress;

/** The pc machine's address-space limits and the device IOVA range checked before a run. */
class MachineLimitsTest {
    @Test
    void ramMustEndInsideThe52BitPhysicalAddressWidth() {
        assertEquals((1L << 52) - 1, Machine.ramTop(MachineConfig.MAX_MEMORY));
        assertDoesNotThrow(() -> MachineConfig.checkMemory(MachineConfig.MAX_MEMORY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MachineConfig.checkMemory(MachineConfig.MAX_MEMORY + 4096));
        assertTrue(e.getMessage().contains("52-bit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MachineConfig.checkMemory(64L << 50));
        assertThrows(IllegalArgumentException.class, () -> MachineConfig.checkMemory(Long.MAX_VALUE & ~0xfffL));
        assertThrows(IllegalArgumentException.class, () -> MachineConfig.checkMemory(MachineConfig.MIN_MEMORY - 4096));
        assertThrows(IllegalArgumentException.class, () -> MachineConfig.checkMemory((1L << 30) + 1));
    }

    @Test
    void ramRangesFollowThePcMap() {
        assertEquals(1, Machine.ramRanges(1L << 30).size());
        assertEquals((1L << 30) - 1, Machine.ramRanges(1L << 30).get(0).last());
        var r = Machine.ramRanges(8L << 30);
        assertEquals(2, r.size());
        assertEquals(Machine.BELOW_4G_MAX - 1, r.get(0).last());
        assertEquals(Machine.FOUR_G, r.get(1).start());
        assertEquals(Machine.FOUR_G + (5L << 30) - 1, r.get(1).last());
    }

    /** The IOVA range known before the machine exists is the one its device reports once built. */
    @Test
    void iovaRangeBeforeTheRunMatchesTheBuiltDevice() {
        for (ParentKind p : ParentKind.values()) {
            for (KernelVersion k : KernelVersion.values()) {
                VirtualScheduler s = new VirtualScheduler();
                InProcessWire w = new InProcessWire(s, 0);
                Machine m = new Machine(new MachineConfig(64L << 20, k, p, ResetPolicy.PERSIST, CostProfile.zero(),
                        MacAddress.parse("52:54:00:12:34:56")), s, w.endA(), IotlbTraceSink.NONE);
                try {
                    assertEquals(m.vhostDevice().iovaRange(), Machine.iovaRange(p), p + " on " + k);
                } finally {
                    m.close();
                    w.endA().close();
                    w.endB().close();
                }
            }
        }
    }

    @Test
    void platformApertureBoundIsExact() {
        long fits = (1L << 48) - (1L << 30);
        assertDoesNotThrow(() -> RunConfig.checkIovaRange(fits, ParentKind.PLATFORM));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunConfig.checkIovaRange(fits + 4096, ParentKind.PLATFORM));
        assertTrue(e.getMessage().contains("--parent platform") && e.getMessage().contains("262143G"), e.getMessage());
        assertDoesNotThrow(() -> RunConfig.checkIovaRange(MachineConfig.MAX_MEMORY, ParentKind.MLX5));
        assertDoesNotThrow(() -> RunConfig.checkIovaRange(MachineConfig.MAX_MEMORY, ParentKind.VDPA_SIM));
    }
}
