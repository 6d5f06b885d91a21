package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.net.device.VirtioMmioLayout;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;

/** Finding mmio-1 (findings-fuzz.md): QueueSel with bit 31 set, then a queue register, threw out of VirtioNetDevice. */
class FindingMmioQueueSelTest {
    private static MmioSurface.Step setup() {
        return new MmioSurface.Setup(KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.PERSIST);
    }

    @Test
    void queueSelWithBit31ThenReadingAQueueRegister() {
        assertDoesNotThrow(() -> new MmioSurface().run(List.of(setup(),
                new MmioSurface.Access(true, VirtioMmioLayout.QUEUE_SEL, 4, 0x8000_0000L),
                new MmioSurface.Access(false, VirtioMmioLayout.QUEUE_NUM_MAX, 4, 0))));
    }

    @Test
    void queueSelWithBit31ThenWritingAQueueRegister() {
        assertDoesNotThrow(() -> new MmioSurface().run(List.of(setup(),
                new MmioSurface.Access(true, VirtioMmioLayout.QUEUE_SEL, 4, 0xe1b7_8736L),
                new MmioSurface.Access(true, VirtioMmioLayout.QUEUE_SEL, 4, 0x100))));
    }
}
