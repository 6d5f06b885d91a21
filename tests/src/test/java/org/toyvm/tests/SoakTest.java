package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.experiment.RebootExperiment;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.report.RunReport;

/**
 * 1,000 reboots in one virtual run end with the pinned page count, vhost-vdpa's IOTLB entries, the
 * parent's mappings and Netty's buffers exactly where they were after the first boot.
 */
class SoakTest {
    /** What must not drift. */
    private record State(long pinned, List<DmaEntry> iotlb, List<String> parentView, long heapBuffers,
            long directBuffers) {
    }

    private static State state(Machine m, UnpooledByteBufAllocator alloc) {
        List<DmaEntry> entries = new ArrayList<>(m.vhostDevice().iotlb(0).entries());
        List<String> view = new ArrayList<>();
        for (DmaEntry e : entries) {
            DmaEntry p = m.parent().translation(0).find(Iova.of(e.start()));
            view.add(p == null ? "none" : p.identity() ? "1:1" : Long.toHexString(p.translate(e.start())));
        }
        return new State(m.hostMemory().pinnedPages(), entries, view, alloc.metric().usedHeapMemory(),
                alloc.metric().usedDirectMemory());
    }

    @ParameterizedTest
    @EnumSource(value = ResetPolicy.class, names = {"LEGACY", "PERSIST"})
    void thousandRebootsLeaveNothingBehind(ResetPolicy policy) {
        CostProfile fast = CostProfile.defaults().withGuestBootNs(20_000_000L);
        var cfg = Runs.config(1L << 30, KernelVersion.V6_7, ParentKind.MLX5, policy, 1000, fast, 100_000_000L,
                100_000_000L, 60_000_000_000L);
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        State[] seen = new State[2];
        RunReport r = Runs.run(cfg, alloc, new RebootExperiment.Inspector() {
            @Override
            public void afterFirstBoot(Machine m) {
                seen[0] = state(m, alloc);
            }

            @Override
            public void beforePowerOff(Machine m) {
                seen[1] = state(m, alloc);
            }
        }).report();
        assertNull(r.summary().failure());
        assertEquals(1000, r.summary().restored(), "every reboot restored connectivity");
        assertEquals(seen[0], seen[1]);
        assertEquals(0, alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory(),
                "every buffer released after power-off");
    }
}
