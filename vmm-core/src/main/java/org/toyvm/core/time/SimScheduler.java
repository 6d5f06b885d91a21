package org.toyvm.core.time;

import io.netty.util.concurrent.Ticker;

/**
 * Where everything in a simulated machine runs: guest vCPU, VMM, kernel model, NIC and peer are
 * event-driven on one scheduler and read time only from its Netty {@link Ticker}.
 *
 * <p>Two implementations: {@link VirtualScheduler}, a deterministic discrete-event loop over a mock
 * ticker (modelled costs advance virtual time, the simulator's own work does not), and
 * {@link RealScheduler}, a Netty event loop on the system ticker (modelled costs become scheduled
 * delays, never sleeps).
 */
public interface SimScheduler {
    /** The clock. Components read time only from here. */
    Ticker ticker();

    /** Nanoseconds since the scheduler was created. */
    default long now() {
        return ticker().nanoTime() - ticker().initialNanoTime();
    }

    /** True for the deterministic virtual clock. */
    boolean isVirtual();

    /** Runs {@code task} on the loop as soon as possible, after tasks already queued. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop {@code delayNanos} from now (0 behaves as {@link #execute}). */
    Timer schedule(Runnable task, long delayNanos);

    /** True when called from the loop's own thread (always true for the virtual loop while it runs). */
    boolean inLoop();

    /** A scheduled task that can be cancelled. */
    interface Timer {
        /** Cancels the task if it has not run; answers whether it was still pending. */
        boolean cancel();
    }
}
