package org.toyvm.vm.guest;

import static org.toyvm.net.device.VirtioMmioLayout.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.MemoryAccessException;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.net.device.VirtioNetDevice;

/**
 * The guest's virtio-net driver on virtio-mmio: the probe in Linux's order (virtio_dev_probe and
 * virtnet_probe: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read back, queues, DRIVER_OK
 * read back), then the interface — one RX and one TX queue ({@link RxQueue}, {@link TxQueue}) on the
 * driver-side ring in guest RAM, kicked through the doorbell page.
 *
 * <p>Rings and buffers are placed by {@link GuestLayout} (guest physical addresses) and reached
 * through {@link GuestRam}; a probe builds them afresh, as a reset device has forgotten them.
 */
final class VirtioNetDriver {
    private static final Logger LOG = LogManager.getLogger(VirtioNetDriver.class);
    static final long WANTED_FEATURES = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MAC) | VirtioFeatures.bit(VirtioFeatures.NET_F_STATUS)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MTU);
    private static final int RX = VirtioNet.rxQueue(0);
    private static final int TX = VirtioNet.txQueue(0);

    private final Vcpu vcpu;
    private final GuestRam ram;
    private final GuestLayout layout;
    private final ByteBufAllocator alloc;
    private final GuestEvents events;
    private final Consumer<ByteBuf> up;
    private RxQueue rx;
    private TxQueue tx;
    private boolean open;
    private long txDropped;
    private long rxFrames;

    /** {@code up}: where received frames go (the stack); it must not keep them. */
    VirtioNetDriver(Vcpu vcpu, GuestRam ram, GuestLayout layout, ByteBufAllocator alloc, GuestEvents events,
            Consumer<ByteBuf> up) {
        this.vcpu = vcpu;
        this.ram = ram;
        this.layout = layout;
        this.alloc = alloc;
        this.events = events;
        this.up = frame -> {
            rxFrames++;
            up.accept(frame);
        };
    }

    boolean isOpen() {
        return open;
    }

    long txDropped() {
        return txDropped;
    }

    /** Frames received over every boot. */
    long rxFrames() {
        return rxFrames;
    }

    /** The device reset (status 0) the guest writes when it reboots, after taking the interface down. */
    void resetDevice() {
        vcpu.mmioWrite(STATUS, 0);
    }

    /** Takes the interface down without touching the device (a reboot begins, or the guest stops). */
    void close() {
        open = false;
    }

    private void fail(String why) {
        LOG.warn("guest: virtio-net probe failed: {}", why);
        events.probeFailed(vcpu.scheduler().now(), why);
        // virtio_add_status(dev, FAILED): the bit is added to the status read back. (Written alone it
        // would clear the others without a reset, which the device ignores as a driver bug.)
        vcpu.mmioWrite(STATUS, vcpu.mmioRead(STATUS) | VirtioStatus.FAILED);
    }

    /** The probe up to DRIVER_OK; answers whether the device accepted it (a failure is reported and FAILED set). */
    boolean probe() {
        if (vcpu.mmioRead(MAGIC_VALUE) != MAGIC || vcpu.mmioRead(DEVICE_ID) != VirtioNetDevice.VIRTIO_ID_NET) {
            fail("no virtio-net device at " + Long.toHexString(vcpu.mmioBase()));
            return false;
        }
        int status = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER;
        vcpu.mmioWrite(STATUS, 0);
        vcpu.mmioWrite(STATUS, VirtioStatus.ACKNOWLEDGE);
        vcpu.mmioWrite(STATUS, status);
        long features = negotiate();
        status |= VirtioStatus.FEATURES_OK;
        vcpu.mmioWrite(STATUS, status);
        if ((vcpu.mmioRead(STATUS) & VirtioStatus.FEATURES_OK) == 0) {
            fail("FEATURES_OK refused for features " + VirtioFeatures.describe(features));
            return false;
        }
        DriverRing rxRing;
        DriverRing txRing;
        try {
            // A reset device forgot the old rings, and so does the driver: fresh, zeroed ones.
            GuestRam.RamSpan rxSlot = ram.span(layout.rxRing(), GuestLayout.RING_SLOT);
            GuestRam.RamSpan txSlot = ram.span(layout.txRing(), GuestLayout.RING_SLOT);
            rxRing = DriverRing.contiguous(ram, layout.queueSize(), layout.rxRing());
            txRing = DriverRing.contiguous(ram, layout.queueSize(), layout.txRing());
            GuestBuffers rxBufs = new GuestBuffers(ram, layout.rxBufs(), layout.queueSize(), layout.bufSize());
            GuestBuffers txBufs = new GuestBuffers(ram, layout.txBufs(), layout.queueSize(), layout.bufSize());
            rxSlot.block().zero(rxSlot.offset(), GuestLayout.RING_SLOT);
            txSlot.block().zero(txSlot.offset(), GuestLayout.RING_SLOT);
            rx = new RxQueue(rxRing, rxBufs, alloc);
            tx = new TxQueue(txRing, txBufs);
        } catch (MemoryAccessException e) {
            fail("guest RAM does not hold the rings");
            return false;
        }
        setupQueue(RX, rxRing.layout());
        setupQueue(TX, txRing.layout());
        // The DRIVER_OK exit starts once the writes before it are handled (the vCPU frozen by them).
        long t = Math.max(vcpu.scheduler().now(), vcpu.busyUntil());
        vcpu.mmioWrite(STATUS, status | VirtioStatus.DRIVER_OK);
        long back = vcpu.mmioRead(STATUS);
        if ((back & VirtioStatus.NEEDS_RESET) != 0 || (back & VirtioStatus.DRIVER_OK) == 0) {
            fail("device refused DRIVER_OK (status " + VirtioStatus.describe((int) back) + ")");
            return false;
        }
        events.driverOk(t, vcpu.busyUntil());
        return true;
    }

    /** Reads the 64 offered feature bits, writes back the ones the guest wants; answers them. */
    private long negotiate() {
        vcpu.mmioWrite(DEVICE_FEATURES_SEL, 0);
        long offered = vcpu.mmioRead(DEVICE_FEATURES);
        vcpu.mmioWrite(DEVICE_FEATURES_SEL, 1);
        offered |= vcpu.mmioRead(DEVICE_FEATURES) << 32;
        long features = offered & WANTED_FEATURES;
        vcpu.mmioWrite(DRIVER_FEATURES_SEL, 0);
        vcpu.mmioWrite(DRIVER_FEATURES, features & 0xffff_ffffL);
        vcpu.mmioWrite(DRIVER_FEATURES_SEL, 1);
        vcpu.mmioWrite(DRIVER_FEATURES, features >>> 32);
        return features;
    }

    /** vm_setup_vq: size, the three ring areas as two 32-bit halves each, ready. */
    private void setupQueue(int q, DriverRing.Layout l) {
        vcpu.mmioWrite(QUEUE_SEL, q);
        vcpu.mmioWrite(QUEUE_NUM, layout.queueSize());
        vcpu.mmioWrite(QUEUE_DESC_LOW, l.desc().value() & 0xffff_ffffL);
        vcpu.mmioWrite(QUEUE_DESC_HIGH, l.desc().value() >>> 32);
        vcpu.mmioWrite(QUEUE_DRIVER_LOW, l.avail().value() & 0xffff_ffffL);
        vcpu.mmioWrite(QUEUE_DRIVER_HIGH, l.avail().value() >>> 32);
        vcpu.mmioWrite(QUEUE_DEVICE_LOW, l.used().value() & 0xffff_ffffL);
        vcpu.mmioWrite(QUEUE_DEVICE_HIGH, l.used().value() >>> 32);
        vcpu.mmioWrite(QUEUE_READY, 1);
    }

    /** virtnet_open: fill the RX ring and kick it; the interface is up. */
    void open() {
        rx.fill();
        open = true;
        vcpu.doorbell(RX);
    }

    /** vring_interrupt for queue {@code q}: receive on RX, reclaim on TX. Nothing while the interface is down. */
    void interrupt(int q) {
        if (!open) {
            return;
        }
        if (q == RX) {
            if (rx.receive(up)) {
                vcpu.doorbell(RX);
            }
        } else {
            tx.reclaim();
        }
    }

    /** start_xmit: one frame, taken (released here whatever happens). */
    void xmit(ByteBuf frame) {
        try {
            if (!open) {
                txDropped++;
                return;
            }
            tx.reclaim();
            if (!tx.send(frame)) {
                txDropped++;
                return;
            }
            vcpu.doorbell(TX);
        } finally {
            frame.release();
        }
    }
}
