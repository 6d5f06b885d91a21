package org.toyvm.vm.guest;

import static org.toyvm.net.device.VirtioMmioLayout.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.BooleanSupplier;
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
 * read back), then the interface — an RX and a TX queue per queue pair ({@link RxQueue},
 * {@link TxQueue}) on driver-side rings in guest RAM, kicked through the doorbell page.
 *
 * <p>Multiqueue: when the guest wants more than one pair (its vCPU count, {@code --queues}) and the
 * device offers CTRL_VQ and MQ, the driver negotiates both, reads max_virtqueue_pairs, uses
 * min(max, wanted) pairs (virtnet_probe: num_online_cpus bounded by the device), sets up every pair
 * and the control queue last (virtnet_find_vqs), and after DRIVER_OK sends VQ_PAIRS_SET through the
 * control queue (virtnet_probe: virtio_device_ready, then virtnet_set_queues), kicked through
 * QueueNotify and busy-polled ({@link #setQueues}). With one pair it negotiates neither and sends
 * nothing — today's guest; note that Linux itself negotiates MQ whenever offered and sends
 * VQ_PAIRS_SET 1 then (_virtnet_set_queues checks only has_cvq and MQ).
 *
 * <p>An echo request is answered on the TX queue of the pair it arrived on. ASSUMPTION: XPS maps each
 * CPU to its own TX queue and the reply is generated on the CPU that received the request (the RX
 * queue's interrupt is affine to that CPU, virtnet_set_affinity). The guest's own frames go on pair 0.
 *
 * <p>Rings and buffers are placed by {@link GuestLayout} (guest physical addresses) and reached
 * through {@link GuestRam}; a probe builds them afresh, as a reset device has forgotten them.
 */
final class VirtioNetDriver {
    private static final Logger LOG = LogManager.getLogger(VirtioNetDriver.class);
    static final long WANTED_FEATURES = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MAC) | VirtioFeatures.bit(VirtioFeatures.NET_F_STATUS)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MTU);
    static final long MQ_FEATURES = VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VQ)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MQ);
    /** ASSUMPTION: how often the busy-polling vCPU looks at the control queue's used ring. */
    static final long CVQ_POLL_NS = 5_000;
    /** ASSUMPTION: how long it polls before giving up and staying on pair 0 (Linux 6.x polls without bound). */
    static final long CVQ_TIMEOUT_NS = 1_000_000_000L;

    private final Vcpu vcpu;
    private GuestRam ram;
    private final GuestLayout layout;
    private final ByteBufAllocator alloc;
    private final GuestEvents events;
    private final Consumer<ByteBuf> up;
    private final int wantedPairs;
    private RxQueue[] rx = new RxQueue[0];
    private TxQueue[] tx = new TxQueue[0];
    private ControlQueue ctrl;
    private int pairs;
    private boolean open;
    /** The pair whose RX queue is being drained: replies generated now go out on its TX queue. */
    private int rxPair;
    private long txDropped;
    private long rxFrames;

    /** {@code up}: where received frames go (the stack); it must not keep them. */
    VirtioNetDriver(Vcpu vcpu, GuestRam ram, GuestLayout layout, ByteBufAllocator alloc, GuestEvents events,
            Consumer<ByteBuf> up, int wantedPairs) {
        this.vcpu = vcpu;
        this.ram = ram;
        this.layout = layout;
        this.alloc = alloc;
        this.events = events;
        this.wantedPairs = Math.max(1, Math.min(wantedPairs, GuestLayout.MAX_PAIRS));
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

    /** Queue pairs of the current boot (1 until a probe set up more). */
    int pairs() {
        return Math.max(pairs, 1);
    }

    /**
     * The guest was migrated (its vCPU paused, its RAM copied to {@code dest} at the same GPAs): every
     * queue this boot set up keeps its ring indices, free buffers and buffer ownership, now read and
     * written in {@code dest}; a later probe builds its rings there. The vCPU view is moved by its owner.
     *
     * @throws org.toyvm.core.mem.MemoryAccessException when a ring or pool is not inside {@code dest}
     */
    void moveTo(GuestRam dest) {
        for (int k = 0; k < rx.length; k++) {
            rx[k].moveTo(dest);
            tx[k].moveTo(dest);
        }
        if (ctrl != null) {
            ctrl.moveTo(dest);
        }
        ram = dest;
    }

    /** Free TX buffers of pair {@code k} (for tests: buffer ownership across a migration). */
    int txFree(int k) {
        return tx[k].freeBuffers();
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
        pairs = (features & MQ_FEATURES) == MQ_FEATURES ? Math.min(maxPairs(), wantedPairs) : 1;
        boolean cvq = VirtioFeatures.has(features, VirtioFeatures.NET_F_CTRL_VQ);
        DriverRing[] rxRings = new DriverRing[pairs];
        DriverRing[] txRings = new DriverRing[pairs];
        DriverRing ctrlRing = null;
        try {
            // A reset device forgot the old rings, and so does the driver: fresh, zeroed ones.
            rx = new RxQueue[pairs];
            tx = new TxQueue[pairs];
            for (int k = 0; k < pairs; k++) {
                rxRings[k] = freshRing(layout.rxRing(k));
                txRings[k] = freshRing(layout.txRing(k));
                rx[k] = new RxQueue(rxRings[k], new GuestBuffers(ram, layout.rxBufs(k), layout.queueSize(),
                        layout.bufSize()), alloc);
                tx[k] = new TxQueue(txRings[k], new GuestBuffers(ram, layout.txBufs(k), layout.queueSize(),
                        layout.bufSize()));
            }
            if (cvq) {
                ctrlRing = freshRing(layout.ctrlRing());
                ctrl = new ControlQueue(ctrlRing, ram, layout.ctrlBufs());
            } else {
                ctrl = null;
            }
        } catch (MemoryAccessException e) {
            fail("guest RAM does not hold the rings");
            return false;
        }
        for (int k = 0; k < pairs; k++) {
            setupQueue(VirtioNet.rxQueue(k), rxRings[k].layout());
            setupQueue(VirtioNet.txQueue(k), txRings[k].layout());
        }
        if (ctrlRing != null) {
            setupQueue(ctrlQueue(), ctrlRing.layout()); // virtnet_find_vqs: the control queue last
        }
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

    private DriverRing freshRing(org.toyvm.core.addr.Gpa at) {
        GuestRam.RamSpan slot = ram.span(at, GuestLayout.RING_SLOT);
        slot.block().zero(slot.offset(), GuestLayout.RING_SLOT);
        return DriverRing.contiguous(ram, layout.queueSize(), at);
    }

    private int ctrlQueue() {
        return VirtioNet.controlQueue(pairs);
    }

    /**
     * max_virtqueue_pairs from the config space (a 32-bit read at its aligned offset, the low 16 bits);
     * a value outside [1, 0x8000] counts as 1, as virtnet_probe treats it.
     */
    private int maxPairs() {
        int max = (int) (vcpu.mmioRead(CONFIG + VirtioNet.CONFIG_MAX_VQ_PAIRS) & 0xffff);
        if (max < VirtioNet.CTRL_MQ_VQ_PAIRS_MIN || max > VirtioNet.CTRL_MQ_VQ_PAIRS_MAX) {
            return 1;
        }
        return max;
    }

    /** Reads the 64 offered feature bits, writes back the ones the guest wants; answers them. */
    private long negotiate() {
        vcpu.mmioWrite(DEVICE_FEATURES_SEL, 0);
        long offered = vcpu.mmioRead(DEVICE_FEATURES);
        vcpu.mmioWrite(DEVICE_FEATURES_SEL, 1);
        offered |= vcpu.mmioRead(DEVICE_FEATURES) << 32;
        long wanted = WANTED_FEATURES | (wantedPairs > 1 ? MQ_FEATURES : 0);
        long features = offered & wanted;
        if ((features & MQ_FEATURES) != MQ_FEATURES) {
            features &= ~MQ_FEATURES; // MQ needs the control queue: both or neither
        }
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

    /**
     * After DRIVER_OK: with more than one pair, VQ_PAIRS_SET through the control queue — the command
     * made available, kicked with a QueueNotify write (an exit), then the vCPU polls the used ring every
     * {@link #CVQ_POLL_NS} (virtnet_send_command's cpu_relax loop) — and {@code then} runs once the
     * device answered or the poll gave up (the guest then stays on pair 0, as the device does). With one
     * pair {@code then} runs at once. Nothing is done once {@code current} turns false (a reboot began).
     */
    void setQueues(BooleanSupplier current, Runnable then) {
        if (pairs <= 1 || ctrl == null) {
            then.run();
            return;
        }
        ctrl.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET, new byte[] {(byte) pairs, (byte) (pairs >>> 8)});
        vcpu.mmioWrite(QUEUE_NOTIFY, ctrlQueue());
        long deadline = vcpu.busyUntil() + CVQ_TIMEOUT_NS;
        poll(current, then, deadline);
    }

    private void poll(BooleanSupplier current, Runnable then, long deadline) {
        if (!current.getAsBoolean()) {
            return;
        }
        int ack = ctrl.answer();
        if (ack == ControlQueue.PENDING && vcpu.scheduler().now() < deadline) {
            vcpu.spin(CVQ_POLL_NS);
            vcpu.runAfterBusy(() -> poll(current, then, deadline), 0);
            return;
        }
        if (ack != VirtioNet.CTRL_OK) {
            // virtnet_set_queues: "Fail to set num of queue pairs" — the device keeps pair 0 only.
            LOG.warn("guest: VQ_PAIRS_SET {} {}", pairs, ack == ControlQueue.PENDING ? "not answered" : "refused");
            events.probeFailed(vcpu.scheduler().now(), "VQ_PAIRS_SET " + pairs + " "
                    + (ack == ControlQueue.PENDING ? "not answered within the poll timeout" : "answered " + ack));
        }
        then.run();
    }

    /** virtnet_open: fill every pair's RX ring and kick it; the interface is up. */
    void open() {
        for (int k = 0; k < rx.length; k++) {
            rx[k].fill();
        }
        open = true;
        for (int k = 0; k < rx.length; k++) {
            vcpu.doorbell(VirtioNet.rxQueue(k));
        }
    }

    /**
     * vring_interrupt for queue {@code q}: receive on an RX queue (replies go out on the same pair's TX
     * queue), reclaim on a TX queue; the control queue has no callback. Nothing while the interface is
     * down, nothing for a queue this boot did not set up.
     */
    void interrupt(int q) {
        if (!open || q < 0 || q >= 2 * rx.length) {
            return;
        }
        int k = q >>> 1;
        if (q == VirtioNet.rxQueue(k)) {
            rxPair = k;
            try {
                if (rx[k].receive(up)) {
                    vcpu.doorbell(q);
                }
            } finally {
                rxPair = 0;
            }
        } else {
            tx[k].reclaim();
        }
    }

    /** start_xmit: one frame, taken (released here whatever happens), on the current pair's TX queue. */
    void xmit(ByteBuf frame) {
        try {
            int k = rxPair < tx.length ? rxPair : 0;
            if (!open || tx.length == 0) {
                txDropped++;
                return;
            }
            tx[k].reclaim();
            if (!tx[k].send(frame)) {
                txDropped++;
                return;
            }
            vcpu.doorbell(VirtioNet.txQueue(k));
        } finally {
            frame.release();
        }
    }
}
