package org.toyvm.hw.net;

import org.toyvm.core.time.SimScheduler;

/**
 * A command the device has been given but that has not reached it yet: the NIC's start (DRIVER_OK,
 * resume) or one queue's enable. It runs its action once the lag of the synchronous operation that
 * issued it has passed ({@link org.toyvm.core.time.Causality}), at once when there is none; a newer
 * command of the same kind or a stop cancels it.
 */
final class PendingEffect {
    private final SimScheduler scheduler;
    private SimScheduler.Timer timer;
    private Runnable pendingAction;

    PendingEffect(SimScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Runs {@code action} {@code lagNanos} from now (at once when not positive), replacing a pending one. */
    void runAfter(long lagNanos, Runnable action) {
        cancel();
        if (lagNanos <= 0) {
            action.run();
            return;
        }
        SimScheduler.Timer[] self = new SimScheduler.Timer[1];
        self[0] = scheduler.schedule(() -> {
            if (timer == self[0]) { // a cancelled timer that ran anyway does nothing
                timer = null;
                pendingAction = null;
                action.run();
            }
        }, lagNanos);
        timer = self[0];
        pendingAction = action;
    }

    /**
     * Lets a pending command reach the device now (a driver busy-waiting for its effect in the exit that
     * issued it, {@link VirtioNetNic#runQueueNow}); nothing when none is pending.
     */
    void runNow() {
        Runnable action = pendingAction;
        if (timer != null && action != null) {
            cancel();
            action.run();
        }
    }

    boolean pending() {
        return timer != null;
    }

    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        pendingAction = null;
    }
}
