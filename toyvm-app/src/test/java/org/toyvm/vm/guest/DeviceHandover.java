package org.toyvm.vm.guest;

import static org.toyvm.net.device.VirtioMmioLayout.*;

import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.net.device.VirtioNetDevice;
import org.toyvm.vm.machine.Machine;

/**
 * The device half of a migration's switchover, played by the test through public APIs until the
 * VMM has its own (VirtioNetDevice.saveState/loadState and vmStateChange, another helper's): the
 * source NIC is suspended and its vring bases read (vhost_net_stop: SUSPEND, GET_VRING_BASE), and the
 * destination's device is brought to DRIVER_OK with the source's negotiated features and the guest's
 * queue addresses — the register writes the guest driver made on the source, which the destination's
 * device must behave as if it had seen — then each destination queue is given the source's base
 * (SET_VRING_BASE with the migrated index) before the start reaches the NIC: the writes are one
 * operation on the destination's meter, so the NIC's start and queue enables land after its cost.
 *
 * <p>Once loadState exists this whole class is replaced by: {@code state = a.virtioNet().saveState()},
 * {@code b.virtioNet().loadState(state)}, {@code b.virtioNet().vmStateChange(true)}.
 */
final class DeviceHandover {
    private DeviceHandover() {
    }

    /** vm_stop's device half on the source: the NIC stops touching guest RAM. Answers each data queue's base. */
    static int[] stopSource(Machine a, int pairs) {
        return stopSource(a, 0, pairs);
    }

    /** {@link #stopSource(Machine, int)} for NIC {@code slot}. */
    static int[] stopSource(Machine a, int slot, int pairs) {
        VirtioNetNic nic = a.slot(slot).nic();
        nic.suspend();
        int[] bases = new int[2 * pairs];
        for (int q = 0; q < bases.length; q++) {
            bases[q] = nic.vqBase(q);
        }
        return bases;
    }

    /** vm_start's device half on the destination (see the class comment). */
    static void startDestination(Machine a, Machine b, GuestLayout layout, int[] bases) {
        startDestination(a, b, 0, layout, bases);
    }

    /** {@link #startDestination(Machine, Machine, GuestLayout, int[])} for NIC {@code slot}. */
    static void startDestination(Machine a, Machine b, int slot, GuestLayout layout, int[] bases) {
        VirtioNetDevice dev = b.slot(slot).virtioNet();
        long features = a.slot(slot).virtioNet().driverFeatures();
        int pairs = bases.length / 2;
        b.meter().beginOperation(0);
        try {
            int status = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER;
            dev.write(STATUS, VirtioStatus.ACKNOWLEDGE, 4);
            dev.write(STATUS, status, 4);
            dev.write(DRIVER_FEATURES_SEL, 0, 4);
            dev.write(DRIVER_FEATURES, features & 0xffff_ffffL, 4);
            dev.write(DRIVER_FEATURES_SEL, 1, 4);
            dev.write(DRIVER_FEATURES, features >>> 32, 4);
            status |= VirtioStatus.FEATURES_OK;
            dev.write(STATUS, status, 4);
            for (int k = 0; k < pairs; k++) {
                queue(dev, VirtioNet.rxQueue(k), DriverRing.Layout.contiguous(layout.rxRing(k), layout.queueSize()),
                        layout.queueSize());
                queue(dev, VirtioNet.txQueue(k), DriverRing.Layout.contiguous(layout.txRing(k), layout.queueSize()),
                        layout.queueSize());
            }
            dev.write(STATUS, status | VirtioStatus.DRIVER_OK, 4);
            for (int q = 0; q < bases.length; q++) {
                b.slot(slot).nic().setVqBase(q, bases[q]);
            }
        } finally {
            b.meter().endOperation();
        }
        if (!dev.started()) {
            throw new IllegalStateException("destination device did not start: " + dev.lastStartError());
        }
    }

    private static void queue(VirtioNetDevice dev, int q, DriverRing.Layout l, int size) {
        dev.write(QUEUE_SEL, q, 4);
        dev.write(QUEUE_NUM, size, 4);
        dev.write(QUEUE_DESC_LOW, l.desc().value() & 0xffff_ffffL, 4);
        dev.write(QUEUE_DESC_HIGH, l.desc().value() >>> 32, 4);
        dev.write(QUEUE_DRIVER_LOW, l.avail().value() & 0xffff_ffffL, 4);
        dev.write(QUEUE_DRIVER_HIGH, l.avail().value() >>> 32, 4);
        dev.write(QUEUE_DEVICE_LOW, l.used().value() & 0xffff_ffffL, 4);
        dev.write(QUEUE_DEVICE_HIGH, l.used().value() >>> 32, 4);
        dev.write(QUEUE_READY, 1, 4);
    }
}
