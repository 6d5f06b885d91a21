package org.toyvm.hw.net;

import org.toyvm.core.time.Causality;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.core.virtio.VirtioStatus;

/**
 * The NIC's device status (virtio 1.x §2.1) and the run state it implies: DRIVER_OK written by the
 * driver, NEEDS_RESET set by the device and kept across the driver's writes until a reset (§2.1.2),
 * suspended by the VMM (VHOST_VDPA_SUSPEND), and a start — DRIVER_OK or a resume — issued but not yet
 * reached the device. Starting is causal ({@link Causality}, docs/DESIGN.md §3): a start takes hold
 * when the command reaches the device ({@link PendingEffect}); stops take hold at once. The device
 * runs only while all four allow it.
 */
final class DeviceStatus {
    private final PendingEffect start;
    private Causality causality = Causality.IMMEDIATE;
    private int status;
    private boolean suspended;
    private String needsResetReason;

    DeviceStatus(SimScheduler scheduler) {
        this.start = new PendingEffect(scheduler);
    }

    void setCausality(Causality c) {
        this.causality = c == null ? Causality.IMMEDIATE : c;
    }

    /** How far after now a command issued now reaches the device. */
    long lagNanos() {
        return causality.lagNanos();
    }

    int get() {
        return status;
    }

    /** The driver writes the status (NEEDS_RESET stays); answers whether this write sets DRIVER_OK. */
    boolean write(int s) {
        boolean starting = (s & VirtioStatus.DRIVER_OK) != 0 && (status & VirtioStatus.DRIVER_OK) == 0;
        status = s | (status & VirtioStatus.NEEDS_RESET);
        return starting;
    }

    /** The device starts processing when the command reaches it: {@code onStart} now, or after the lag. */
    void startAfterLag(Runnable onStart) {
        start.runAfter(lagNanos(), onStart);
    }

    boolean startPending() {
        return start.pending();
    }

    /** A driver busy-waiting for the start in the exit that issued it: the pending start reaches the device now. */
    void startNow() {
        start.runNow();
    }

    boolean running() {
        return (status & VirtioStatus.DRIVER_OK) != 0 && (status & VirtioStatus.NEEDS_RESET) == 0 && !suspended
                && !start.pending();
    }

    /** Sets NEEDS_RESET; answers true (and keeps {@code why}) the first time only. */
    boolean needsReset(String why) {
        boolean first = (status & VirtioStatus.NEEDS_RESET) == 0;
        if (first) {
            needsResetReason = why;
        }
        status |= VirtioStatus.NEEDS_RESET;
        return first;
    }

    /** Why the device set NEEDS_RESET, or null. */
    String needsResetReason() {
        return needsResetReason;
    }

    void reset() {
        start.cancel();
        status = 0;
        suspended = false;
        needsResetReason = null;
    }

    void suspend() {
        start.cancel();
        suspended = true;
    }

    void resume(Runnable onStart) {
        suspended = false;
        startAfterLag(onStart);
    }

    boolean suspended() {
        return suspended;
    }
}
