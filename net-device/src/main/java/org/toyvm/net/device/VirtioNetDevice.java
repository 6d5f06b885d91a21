package org.toyvm.net.device;

import static org.toyvm.net.device.VirtioMmioLayout.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

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
 * <p>Nothing the guest writes here throws: out-of-range queue selectors, sizes and registers are
 * ignored and counted in {@link #guestErrors()}.
 */
public final class VirtioNetDevice {
    private static final Logger LOG = LogManager.getLogger(VirtioNetDevice.class);
    private static final Logger TRACE = LogManager.getLogger("trace.virtio_net");

    public static final int S_ACKNOWLEDGE = 1;
    public static final int S_DRIVER = 2;
    public static final int S_DRIVER_OK = 4;
    public static final int S_FEATURES_OK = 8;
    public static final int S_NEEDS_RESET = 0x40;
    public static final int S_FAILED = 0x80;
    private static final int VERSION_1_BIT = 32;
    private static final int VIRTIO_ID_NET = 1;

    private final VirtioNetBackend backend;
    private final Queue[] queues;
    private int status;
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private int queueSel;
    private int interruptStatus;
    private int configGeneration;
    private boolean started;
    private long guestErrors;
    private String lastStartError;

    /** Per-queue registers as the driver wrote them. */
    private static final class Queue {
        int num;
        long desc;
        long driver;
        long device;
        boolean ready;

        void clear() {
            num = 0;
            desc = 0;
            driver = 0;
            device = 0;
            ready = false;
        }
    }

    public VirtioNetDevice(VirtioNetBackend backend) {
        this.backend = backend;
        this.queues = new Queue[backend.numQueues()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new Queue();
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

    /** Guest writes that broke a rule (ignored). */
    public long guestErrors() {
        return guestErrors;
    }

    /** Why the last DRIVER_OK could not start the backend, or null. */
    public String lastStartError() {
        return lastStartError;
    }

    /** Sets interrupt status bits (1 = used buffer, 2 = config change) for the guest to read. */
    public void raiseInterrupt(int bits) {
        interruptStatus |= bits;
    }

    /** A 32-bit (or narrower, for config space) read of the register window. */
    public long read(long offset, int size) {
        if (offset >= CONFIG) {
            return readConfig((int) Math.min(offset - CONFIG, Integer.MAX_VALUE), size);
        }
        if (size != 4) {
            guestErrors++;
            return 0;
        }
        Queue q = queueSel < queues.length ? queues[queueSel] : null;
        long v = switch ((int) offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> MMIO_VERSION;
            case DEVICE_ID -> VIRTIO_ID_NET;
            case VENDOR_ID -> VENDOR_QEMU;
            case DEVICE_FEATURES -> deviceFeaturesSel == 0 ? backend.deviceFeatures() & 0xffff_ffffL
                    : deviceFeaturesSel == 1 ? backend.deviceFeatures() >>> 32 : 0;
            case QUEUE_NUM_MAX -> q == null ? 0 : backend.maxQueueSize();
            case QUEUE_READY -> q != null && q.ready ? 1 : 0;
            case INTERRUPT_STATUS -> interruptStatus;
            case STATUS -> status;
            case CONFIG_GENERATION -> configGeneration;
            default -> 0;
        };
        return v & 0xffff_ffffL;
    }

    private long readConfig(int off, int size) {
        byte[] cfg = backend.readConfig();
        if (size < 1 || size > 8 || off > cfg.length - size) {
            guestErrors++;
            return 0;
        }
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (cfg[off + i] & 0xff);
        }
        return v;
    }

    /** A 32-bit write of the register window. */
    public void write(long offset, long value, int size) {
        if (offset >= CONFIG || size != 4) {
            guestErrors++; // net config space is read-only for the driver
            return;
        }
        int v = (int) value;
        Queue q = queueSel < queues.length ? queues[queueSel] : null;
        switch ((int) offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = v;
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = v;
            case DRIVER_FEATURES -> writeDriverFeatures(v);
            case QUEUE_SEL -> queueSel = v;
            case QUEUE_NUM -> {
                if (q == null || !validQueueSize(v)) {
                    guestErrors++;
                } else {
                    q.num = v;
                }
            }
            case QUEUE_READY -> {
                if (q == null) {
                    guestErrors++;
                } else {
                    q.ready = (v & 1) != 0;
                }
            }
            case QUEUE_DESC_LOW -> setQueueAddr(q, 0, false, v);
            case QUEUE_DESC_HIGH -> setQueueAddr(q, 0, true, v);
            case QUEUE_DRIVER_LOW -> setQueueAddr(q, 1, false, v);
            case QUEUE_DRIVER_HIGH -> setQueueAddr(q, 1, true, v);
            case QUEUE_DEVICE_LOW -> setQueueAddr(q, 2, false, v);
            case QUEUE_DEVICE_HIGH -> setQueueAddr(q, 2, true, v);
            case INTERRUPT_ACK -> interruptStatus &= ~v;
            case STATUS -> writeStatus(v & 0xff);
            default -> guestErrors++;
        }
    }

    private boolean validQueueSize(int n) {
        // Split rings: a power of two no larger than the maximum (virtio 1.x §2.7).
        return n > 0 && Integer.bitCount(n) == 1 && n <= backend.maxQueueSize();
    }

    private void writeDriverFeatures(int v) {
        if ((status & S_FEATURES_OK) != 0 || driverFeaturesSel > 1) {
            guestErrors++; // features are fixed once FEATURES_OK is set
            return;
        }
        int shift = driverFeaturesSel * 32;
        driverFeatures = (driverFeatures & ~(0xffff_ffffL << shift)) | ((v & 0xffff_ffffL) << shift);
    }

    private void setQueueAddr(Queue q, int which, boolean high, int v) {
        if (q == null || (status & S_DRIVER_OK) != 0) {
            guestErrors++;
            return;
        }
        long cur = which == 0 ? q.desc : which == 1 ? q.driver : q.device;
        long next = high ? (cur & 0xffff_ffffL) | ((long) v << 32) : (cur & ~0xffff_ffffL) | (v & 0xffff_ffffL);
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
        if ((added & S_FEATURES_OK) != 0) {
            long offered = backend.deviceFeatures();
            boolean ok = (driverFeatures & ~offered) == 0 && (driverFeatures & (1L << VERSION_1_BIT)) != 0;
            if (!ok) {
                // The bit does not stick: the driver must read status back and give up (virtio §3.1.1 step 6).
                v &= ~S_FEATURES_OK;
                LOG.debug("FEATURES_OK refused: driver features {} not a subset of {} or no VERSION_1",
                        Long.toHexString(driverFeatures), Long.toHexString(offered));
            }
        }
        status = v;
        if ((added & S_DRIVER_OK) != 0 && (status & S_FEATURES_OK) != 0 && !started) {
            List<VirtioNetBackend.QueueConfig> qs = new ArrayList<>();
            for (int i = 0; i < queues.length; i++) {
                Queue q = queues[i];
                qs.add(new VirtioNetBackend.QueueConfig(i, q.num, q.desc, q.driver, q.device, q.ready));
            }
            lastStartError = backend.start(driverFeatures, qs);
            if (lastStartError == null) {
                started = true;
            } else {
                LOG.warn("virtio-net could not start: {}", lastStartError);
                status |= S_NEEDS_RESET;
                configGeneration++;
            }
        }
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
        for (Queue q : queues) {
            q.clear();
        }
    }
}
