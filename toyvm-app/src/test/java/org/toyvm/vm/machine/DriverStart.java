package org.toyvm.vm.machine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.net.device.VirtioMmioLayout;

/** Starts a machine's virtio-net device the way a driver does, with no queue, through its MMIO registers. */
final class DriverStart {
    private DriverStart() {
    }

    /** ACKNOWLEDGE, DRIVER, VERSION_1 acked, FEATURES_OK, DRIVER_OK; the device must say it started. */
    static void withoutQueues(Machine m) {
        int status = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER;
        m.virtioNet().write(VirtioMmioLayout.STATUS, VirtioStatus.ACKNOWLEDGE, 4);
        m.virtioNet().write(VirtioMmioLayout.STATUS, status, 4);
        m.virtioNet().write(VirtioMmioLayout.DRIVER_FEATURES_SEL, 1, 4);
        m.virtioNet().write(VirtioMmioLayout.DRIVER_FEATURES, VirtioFeatures.bit(VirtioFeatures.F_VERSION_1) >>> 32, 4);
        status |= VirtioStatus.FEATURES_OK;
        m.virtioNet().write(VirtioMmioLayout.STATUS, status, 4);
        m.virtioNet().write(VirtioMmioLayout.STATUS, status | VirtioStatus.DRIVER_OK, 4);
        assertTrue(m.virtioNet().started());
    }
}
