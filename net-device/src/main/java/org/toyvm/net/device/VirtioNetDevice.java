package org.toyvm.net.device;

import static org.toyvm.net.device.VirtioMmioLayout.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;

/**
 * The guest-facing virtio-net device of the VMM: the virtio-mmio register file, the status state
 * machine and feature negotiation, with the datapath delegated to a {@link VirtioNetBackend} (the
 * vhost-vdpa frontend).
 *
 * <p>Status rules (virtio 1.x §2.1, §3.1.1): writing 0 resets the device; otherwise a write may only
 * add bits (a write that clears bits without going to 0 is a driver bug: ignored and counted);
 * FEATURES_OK is refused — it does not stick, and the driver reads that back — when the driver
 * accepted a feature the device does not offer or did not accept VERSION_1; DRIVER_OK starts the
 * backend, and a backend that cannot start leaves the device in NEEDS_RESET.
 *
 * <p>Every guest value is read at the width virtio-mmio gives it (32-bit registers, unsigned) and
 * checked before it selects anything. Nothing the guest writes here throws: out-of-range queue
 * selectors, sizes, registers and config accesses are ignored (reads answer 0, or all ones past
 * the config space) and counted in {@link #guestErrors()}.
 */
public final class VirtioNetDevice {
    private static final Logger LOG = LogManager.getLogger(VirtioNetDevice.class);
    private static final Logger TRACE = LogManager.getLogger("trace.virtio_net");

    /** The virtio device id of a network card (virtio 1.x §5). */
    public static final int VIRTIO_ID_NET = 1;
    /** QEMU's VIRTIO_QUEUE_MAX: QueueSel writes at or above it are ignored (virtio_mmio_write). */
    static final long VIRTIO_QUEUE_MAX = 1024;

    private final VirtioNetBackend backend;
    private final QueueRegisters[] queues;
    private int status;
    /** Selectors as the driver wrote them: unsigned 32-bit values. */
    private long deviceFeaturesSel;
    private long driverFeaturesSel;
    private long driverFeatures;
    /** Unsigned, always below {@link #VIRTIO_QUEUE_MAX}; may name a queue the device does not have. */
    private long queueSel;
    private int interruptStatus;
    private int configGeneration;
    private boolean started;
    /** The VM is stopped (virtio_vmstate_change): vhost does not run until it runs again. */
    private boolean vmStopped;
    private long guestErrors;
    private String lastStartError;

    public VirtioNetDevice(VirtioNetBackend backend) {
        this.backend = backend;
        this.queues = new QueueRegisters[backend.numQueues()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new QueueRegisters();
        }
    }

    public int status() {
        return status;
    }

    public boolean started() {
        return started;
    }

    public long driverFeatures() {
        return driverFeatures;
    }

    /** Guest accesses that broke a rule (ignored, or answered 0 / all ones). */
    public long guestErrors() {
        return guestErrors;
    }

    /** Why the last DRIVER_OK could not start the backend, or null. */
    public String lastStartError() {
        return lastStartError;
    }

    /** Sets interrupt status bits ({@link VirtioMmioLayout#INT_VRING}, {@link VirtioMmioLayout#INT_CONFIG}) for the guest to read. */
    public void raiseInterrupt(int bits) {
        interruptStatus |= bits;
    }

    /** The selected queue, or null when QueueSel names a queue this device does not have. */
    private QueueRegisters selectedQueue() {
        // queueSel is an unsigned 32-bit value below VIRTIO_QUEUE_MAX (see the QUEUE_SEL write).
        return queueSel < queues.length ? queues[(int) queueSel] : null;
    }

    /** 32 feature bits the device offers, word {@code sel} (an unsigned 32-bit selector). */
    private long deviceFeatureWord(long sel) {
        // virtio 1.x §4.2.2: DeviceFeatures returns bits sel*32 .. sel*32+31; there are none past 63.
        // (QEMU's virtio_mmio_write folds any nonzero selector to 1; the model follows the spec.)
        return sel == 0 ? backend.deviceFeatures() & 0xffff_ffffL : sel == 1 ? backend.deviceFeatures() >>> 32 : 0;
    }

    /**
     * A read of the register window: 32-bit for the registers, 1/2/4 (or 8, split into two 4-byte
     * reads as QEMU's memory core does for an ops with 4-byte max access) for config space.
     * {@code offset} is unsigned; anything outside the window, misaligned or not a register reads 0.
     */
    public long read(long offset, int size) {
        if (Long.compareUnsigned(offset, WINDOW_SIZE) >= 0) {
            guestErrors++; // the bus never dispatches outside the window; a caller that does gets 0
            return 0;
        }
        if (offset >= CONFIG) {
            return readConfig((int) (offset - CONFIG), size);
        }
        if (size != 4) {
            guestErrors++; // virtio_mmio_read: "wrong size access to register!" -> 0
            return 0;
        }
        QueueRegisters q = selectedQueue();
        long v = switch ((int) offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> MMIO_VERSION;
            case DEVICE_ID -> VIRTIO_ID_NET;
            case VENDOR_ID -> VENDOR_QEMU;
            case DEVICE_FEATURES -> deviceFeatureWord(deviceFeaturesSel);
            // virtio_mmio_read: QueueNumMax reads 0 for a queue the device does not have.
            case QUEUE_NUM_MAX -> q == null ? 0 : backend.maxQueueSize();
            case QUEUE_READY -> q != null && q.ready ? 1 : 0;
            case INTERRUPT_STATUS -> interruptStatus;
            case STATUS -> status;
            case CONFIG_GENERATION -> configGeneration;
            case DEVICE_FEATURES_SEL, DRIVER_FEATURES, DRIVER_FEATURES_SEL, QUEUE_SEL, QUEUE_NUM, QUEUE_NOTIFY,
                    INTERRUPT_ACK, QUEUE_DESC_LOW, QUEUE_DESC_HIGH, QUEUE_DRIVER_LOW, QUEUE_DRIVER_HIGH,
                    QUEUE_DEVICE_LOW, QUEUE_DEVICE_HIGH -> {
                guestErrors++; // virtio_mmio_read: "read of write-only register" -> 0
                yield 0;
            }
            default -> {
                guestErrors++; // virtio_mmio_read: "bad register offset" -> 0
                yield 0;
            }
        };
        return v & 0xffff_ffffL;
    }

    private long readConfig(int off, int size) {
        return switch (size) {
            case 1, 2, 4 -> readConfigField(off, size);
            case 8 -> readConfigField(off, 4) | (readConfigField(off + 4, 4) << 32);
            default -> {
                guestErrors++;
                yield 0;
            }
        };
    }

    /**
     * One config read of 1, 2 or 4 bytes at {@code off} (0 ≤ off < window). Past the end of the config
     * space it reads all ones at that width and is counted, as QEMU's
     * virtio_config_modern_readb/readw/readl answer {@code (uint32_t)-1}.
     */
    private long readConfigField(int off, int size) {
        byte[] cfg = backend.readConfig();
        if (off > cfg.length - size) {
            guestErrors++;
            return (1L << (8 * size)) - 1;
        }
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (cfg[off + i] & 0xff);
        }
        return v;
    }

    /**
     * A write of the register window. Registers take 32-bit writes: {@code value}'s low 32 bits, read
     * unsigned. {@code offset} is unsigned. Net config space is read-only for the driver.
     */
    public void write(long offset, long value, int size) {
        if (Long.compareUnsigned(offset, CONFIG) >= 0 || size != 4) {
            guestErrors++; // net config space is read-only for the driver; registers are 32-bit only
            return;
        }
        int v = (int) value;
        long u = Integer.toUnsignedLong(v);
        QueueRegisters q = selectedQueue();
        switch ((int) offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = u;
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = u;
            case DRIVER_FEATURES -> writeDriverFeatures(u);
            case QUEUE_SEL -> {
                // virtio_mmio_write: "if (value < VIRTIO_QUEUE_MAX) vdev->queue_sel = value;" — a larger
                // selector is ignored and the previous one stays; one below it but past the last queue
                // selects nothing (QueueNumMax reads 0, queue registers ignore writes).
                if (u < VIRTIO_QUEUE_MAX) {
                    queueSel = u;
                } else {
                    guestErrors++;
                }
            }
            case QUEUE_NUM -> {
                if (q == null || !validQueueSize(u)) {
                    guestErrors++;
                } else {
                    q.num = (int) u;
                }
            }
            case QUEUE_READY -> {
                if (q == null) {
                    guestErrors++;
                } else {
                    q.ready = u != 0; // virtio_mmio_write: "if (value)" enables, 0 disables
                }
            }
            case QUEUE_DESC_LOW -> setQueueAddr(q, 0, false, u);
            case QUEUE_DESC_HIGH -> setQueueAddr(q, 0, true, u);
            case QUEUE_DRIVER_LOW -> setQueueAddr(q, 1, false, u);
            case QUEUE_DRIVER_HIGH -> setQueueAddr(q, 1, true, u);
            case QUEUE_DEVICE_LOW -> setQueueAddr(q, 2, false, u);
            case QUEUE_DEVICE_HIGH -> setQueueAddr(q, 2, true, u);
            case INTERRUPT_ACK -> interruptStatus &= ~v;
            case STATUS -> writeStatus(v & 0xff); // virtio_mmio_write: virtio_set_status(vdev, value & 0xff)
            case QUEUE_NOTIFY -> queueNotify(u);
            default -> guestErrors++; // read-only, unknown or misaligned register
        }
    }

    /**
     * virtio_mmio_write QUEUE_NOTIFY: "if (value < VIRTIO_QUEUE_MAX) virtio_queue_notify(vdev, value)".
     * A queue this device does not have is counted; before the backend started there is no kick
     * eventfd yet and the notify does nothing (virtio_queue_notify returns for a queue without rings).
     */
    private void queueNotify(long q) {
        if (q >= queues.length) {
            guestErrors++;
        } else if (started) {
            backend.notify((int) q);
        }
    }

    private boolean validQueueSize(long n) {
        // Split rings: a power of two no larger than the maximum (virtio 1.x §2.7); n is unsigned 32-bit.
        long max = Integer.toUnsignedLong(backend.maxQueueSize());
        return n > 0 && Long.bitCount(n) == 1 && n <= max && n <= SplitRing.MAX_QUEUE_SIZE;
    }

    private void writeDriverFeatures(long word) {
        // Only words 0 and 1 exist (64 feature bits); a larger selector writes nothing.
        if ((status & VirtioStatus.FEATURES_OK) != 0 || driverFeaturesSel > 1) {
            guestErrors++; // features are fixed once FEATURES_OK is set
            return;
        }
        int shift = (int) driverFeaturesSel * 32;
        driverFeatures = (driverFeatures & ~(0xffff_ffffL << shift)) | (word << shift);
    }

    private void setQueueAddr(QueueRegisters q, int which, boolean high, long word) {
        if (q == null || (status & VirtioStatus.DRIVER_OK) != 0) {
            guestErrors++;
            return;
        }
        // A 64-bit ring address from two unsigned 32-bit halves; any 64-bit value is kept as written
        // and judged (alignment, wrap past 2^64, reachability) where it is used.
        long cur = which == 0 ? q.desc : which == 1 ? q.driver : q.device;
        long next = high ? (cur & 0xffff_ffffL) | (word << 32) : (cur & ~0xffff_ffffL) | word;
        if (which == 0) {
            q.desc = next;
        } else if (which == 1) {
            q.driver = next;
        } else {
            q.device = next;
        }
    }

    private void writeStatus(int v) {
        TRACE.trace("virtio_net_set_status {} -> {}", status, v);
        if (v == 0) {
            reset();
            return;
        }
        if ((v & status) != status) {
            guestErrors++; // clearing bits without a reset
            LOG.debug("status write {} clears bits of {}: ignored", v, status);
            return;
        }
        int added = v & ~status;
        if ((added & VirtioStatus.FEATURES_OK) != 0) {
            long offered = backend.deviceFeatures();
            boolean ok = (driverFeatures & ~offered) == 0
                    && VirtioFeatures.has(driverFeatures, VirtioFeatures.F_VERSION_1);
            if (!ok) {
                // The bit does not stick: the driver must read status back and give up (virtio §3.1.1 step 6).
                v &= ~VirtioStatus.FEATURES_OK;
                LOG.debug("FEATURES_OK refused: driver features {} not a subset of {} or no VERSION_1",
                        Long.toHexString(driverFeatures), Long.toHexString(offered));
            }
        }
        status = v;
        if ((added & VirtioStatus.DRIVER_OK) != 0 && (status & VirtioStatus.FEATURES_OK) != 0 && !started
                && !vmStopped) {
            startedBy(backend.start(driverFeatures, queueConfigs()));
        }
    }

    /** The queues as the backend starts them, each from its base. */
    private List<VirtioNetBackend.QueueConfig> queueConfigs() {
        List<VirtioNetBackend.QueueConfig> qs = new ArrayList<>();
        for (int i = 0; i < queues.length; i++) {
            QueueRegisters q = queues[i];
            // The ring addresses leave the register file as what they are: guest physical addresses.
            qs.add(q.config(i));
        }
        return qs;
    }

    private String startedBy(String err) {
        lastStartError = err;
        if (err == null) {
            started = true;
        } else {
            LOG.warn("virtio-net could not start: {}", err);
            status |= VirtioStatus.NEEDS_RESET;
            configGeneration++;
        }
        return err;
    }

    // ---------------------------------------------------------------- migration

    /**
     * hw/virtio/virtio.c virtio_vmstate_change → virtio_set_status → virtio_net_vhost_status: on stop
     * (before the state is saved), vhost_net_stop with no virtio reset — the status stays DRIVER_OK and
     * each queue keeps the last avail index the stop read; on run, vhost_net_start of a device the
     * guest had started, each queue from its base (vm_prepare_start runs this before the vCPUs
     * resume). Answers null, or why the start failed (the device then needs a reset, as at DRIVER_OK).
     */
    public String vmStateChange(boolean running) {
        if (!running) {
            vmStopped = true;
            if (started) {
                backend.vmStop();
                started = false;
                for (QueueRegisters q : queues) {
                    q.base = backend.vringBase(indexOf(q)) & 0xffff;
                }
            }
            return null;
        }
        vmStopped = false;
        boolean driverOk = (status & VirtioStatus.DRIVER_OK) != 0 && (status & VirtioStatus.FEATURES_OK) != 0
                && (status & VirtioStatus.NEEDS_RESET) == 0;
        if (!driverOk || started) {
            return null; // virtio_net_started() is false, or vhost already runs
        }
        return startedBy(backend.vmStart(driverFeatures, queueConfigs()));
    }

    private int indexOf(QueueRegisters q) {
        for (int i = 0; i < queues.length; i++) {
            if (queues[i] == q) {
                return i;
            }
        }
        return -1;
    }

    /**
     * virtio_save + vmstate_virtio_net_device: the registers, each queue with its last avail index, and
     * the backend's control state. Taken after {@code vmStateChange(false)}, as QEMU saves a stopped VM;
     * on a running device the indices are those of the last stop.
     */
    public VirtioNetState saveState() {
        List<VirtioNetState.QueueState> qs = new ArrayList<>();
        for (int i = 0; i < queues.length; i++) {
            QueueRegisters q = queues[i];
            qs.add(q.state(i));
        }
        return new VirtioNetState(status, driverFeatures, interruptStatus, (int) queueSel, configGeneration, qs,
                backend.ctrlState());
    }

    /**
     * virtio_load + virtio-net's post_load on a fresh destination device (no guest probe: the guest's
     * driver state arrives with the stream): everything {@link VirtioNetState#check} and the backend
     * refuse leaves the device untouched and answers why (QEMU fails the incoming migration); else the
     * registers, queues and control state are this device's, vhost not started — the next
     * {@code vmStateChange(true)} starts it. Answers null on success.
     */
    public String loadState(VirtioNetState s) {
        if (s == null) {
            return "virtio-net: no state";
        }
        if (started) {
            return "virtio-net: cannot load state into a started device";
        }
        String err = s.check(backend.deviceFeatures(), queues.length, backend.maxQueueSize());
        for (int i = 0; err == null && i < s.queues().size(); i++) {
            VirtioNetState.QueueState q = s.queues().get(i);
            if (q.desc() != 0 && q.size() != 0) {
                err = backend.checkLoadedRing(QueueRegisters.config(q));
            }
        }
        if (err == null && s.ctrl() != null) {
            err = backend.loadCtrlState(s.ctrl(), s.driverFeatures());
        }
        if (err != null) {
            LOG.warn("virtio-net: incoming state refused: {}", err);
            return err;
        }
        status = s.status() & 0xff;
        driverFeatures = s.driverFeatures();
        interruptStatus = s.interruptStatus();
        queueSel = Integer.toUnsignedLong(s.queueSel());
        configGeneration = s.configGeneration();
        for (VirtioNetState.QueueState qs : s.queues()) {
            queues[qs.index()].load(qs);
        }
        lastStartError = null;
        vmStopped = true; // an incoming VM runs only at vm_start (vmStateChange(true))
        return null;
    }

    private void reset() {
        backend.reset();
        started = false;
        status = 0;
        driverFeatures = 0;
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        queueSel = 0;
        interruptStatus = 0;
        lastStartError = null;
        for (QueueRegisters q : queues) {
            q.clear();
        }
    }
}
