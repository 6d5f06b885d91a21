package org.toyvm.vm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.MemoryBackend;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vm.stack.MacAddress;

/**
 * The machine's guest RAM on each backend, mapped by QEMU's listener at DRIVER_OK: in PA mode (mlx5)
 * one IOTLB entry per backing page of RAM plus the BIOS's one, and every 4 KiB page pinned; in VA
 * mode (vdpa_sim as shipped on 6.12) one entry per RAM section when the backend is shared, none for
 * private RAM (only the BIOS, a shared block in the model, is mapped).
 */
class MachineMemoryBackendTest {
    static final long MEMORY = 4L << 30; // 3 GiB below 4G, 1 GiB above

    private static Machine start(ParentSpec parent, MemoryBackend backend) {
        VirtualScheduler s = new VirtualScheduler();
        InProcessWire wire = new InProcessWire(s, 0);
        Machine m = new Machine(new MachineConfig(MEMORY, KernelVersion.V6_12, parent, ResetPolicy.PERSIST,
                CostProfile.zero(), MacAddress.parse("52:54:00:12:34:56"), QemuVersion.newest(),
                Optional.of(backend)), s, wire.endA(), (t, msg, result) -> { });
        DriverStart.withoutQueues(m);
        return m;
    }

    @ParameterizedTest
    @EnumSource(MemoryBackend.class)
    void paModeHasOneEntryPerBackingPage(MemoryBackend backend) {
        Machine m = start(ParentSpec.shipped(ParentKind.MLX5), backend);
        try {
            assertEquals(backend, m.ram().backend().orElseThrow());
            VhostIotlb t = m.vhostDevice().iotlb(0);
            long bios = 1; // pc.bios: a block mapped by run size, one run
            assertEquals(MEMORY / backend.pageSize() + bios, t.size(), backend.label());
            long biosPages = Machine.BIOS_SIZE / 4096;
            assertEquals(MEMORY / 4096 + biosPages, m.hostMemory().pinnedPages());
        } finally {
            m.close();
        }
    }

    @ParameterizedTest
    @EnumSource(MemoryBackend.class)
    void vaModeMapsGuestRamOnlyOnASharedBackend(MemoryBackend backend) {
        Machine m = start(ParentSpec.shipped(ParentKind.VDPA_SIM), backend);
        try {
            VhostIotlb t = m.vhostDevice().iotlb(0);
            long ramEntries = backend.sharedFileBacked() ? 2 : 0; // ram-below-4g and ram-above-4g
            assertEquals(ramEntries + 1, t.size(), backend.label());
            assertEquals(0, m.hostMemory().pinnedPages(), "VA mode pins nothing");
        } finally {
            m.close();
        }
    }
}
