package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.experiment.Matrix;
import org.toyvm.vm.experiment.RunConfig;
import org.toyvm.vm.report.MatrixReport;

/**
 * The 54 cells of the compatibility matrix (every kernel generation × three parents × three policies),
 * each checked against what the reference's rules imply. The expectations are derived here from the
 * rules (docs/linux-vhost-vdpa.md §2, §3, §6 and the policies), never read from a table; the cells
 * themselves come from running each configuration. vdpa_sim runs with {@code use_va=off} (PA mode) so
 * that every cell that maps again pins all of guest RAM.
 */
class CompatibilityMatrixTest {
    @Test
    void everyCellFollowsTheRules() {
        List<ParentSpec> parents = List.of(ParentSpec.shipped(ParentKind.PLATFORM), ParentSpec.shipped(ParentKind.MLX5),
                ParentSpec.parse("vdpa-sim,use_va=off"));
        // Short boot, warm-up and settle: 54 cells, and no rule below depends on how long they are.
        CostProfile costs = CostProfile.defaults().withGuestBootNs(200_000_000L);
        RunConfig base = Runs.config(1L << 30, KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.PERSIST, 1, costs,
                200_000_000L, 200_000_000L, 60_000_000_000L);
        MatrixReport m = Matrix.matrix(Matrix.matrixPlan(base, Matrix.defaultKernels(), parents,
                Arrays.asList(ResetPolicy.values())), PooledByteBufAllocator.DEFAULT);
        assertEquals(KernelVersion.values().length * 3 * 3, m.cells().size());
        for (MatrixReport.Cell c : m.cells()) {
            String where = c.kernel() + "/" + c.parent() + "/" + c.policy() + ": " + c.explanation();
            boolean k67 = KernelVersion.parse(c.kernel()).hasIotlbPersist();
            // §2: IOTLB_PERSIST exists from 6.7; every parent here has a persistent map there
            // (platform: no set_map/dma_map; mlx5 and vdpa_sim: reset_map).
            assertEquals(k67, c.persistOffered(), where);
            // The persist policy acks it when offered; legacy and naive never do.
            boolean acked = k67 && c.policy().equals("persist");
            assertEquals(acked, c.persistAcked(), where);
            // §6: the platform IOMMU domain belongs to vhost-vdpa, so it survives every reset; the
            // others keep their map only with IOTLB_PERSIST acked (6.7+ plain .reset).
            boolean parentKeepsMap = c.parent().equals("platform") || acked;
            // Userspace keeps its mappings (sends nothing) when it acked PERSIST or is naive.
            boolean userspaceKeeps = acked || c.policy().equals("naive");
            // Connectivity returns if userspace re-maps, or the parent kept the map it relies on.
            boolean restored = !userspaceKeeps || parentKeepsMap;
            assertEquals(restored, c.restored(), where);
            if (userspaceKeeps) {
                assertEquals(0, c.iotlbMessagesDuringReboot(), where);
                assertEquals(0, c.pagesPinnedDuringReboot(), where);
            } else {
                assertTrue(c.iotlbMessagesDuringReboot() > 0, where);
                assertTrue(c.pagesPinnedDuringReboot() >= 262144, "all of guest RAM pinned again: " + where);
            }
            // QEMU 10.1+ maps at SET_OWNER; naive keeps that mapping through the guest's probe reset, which a
            // parent without a kept map drops: the first boot never connects and no reboot is measured.
            boolean firstBootBreaks = c.policy().equals("naive") && !parentKeepsMap
                    && org.toyvm.net.vhost.QemuVersion.parse(c.qemu()).registersListenerAtSetOwner();
            assertEquals(firstBootBreaks, c.explanation().contains("the first boot never connected"), where);
            assertEquals(!restored && !firstBootBreaks, c.dmaFaults() > 0,
                    "DMA faults exactly where the datapath broke at a reboot: " + where);
        }
    }
}
