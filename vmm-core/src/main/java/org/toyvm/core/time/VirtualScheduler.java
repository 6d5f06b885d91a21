package org.toyvm.core.time;

import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A deterministic discrete-event loop on a Netty {@link MockTicker}: run every task that is due,
 * then advance the ticker to the next deadline. Tasks with the same deadline run in the order they
 * were scheduled, so the same inputs give the same run, byte for byte. Ten simulated minutes of
 * periodic work take as long as the work itself, not ten minutes.
 *
 * <p>Single-threaded: only the thread that calls {@code run*} executes tasks, and tasks may only be
 * scheduled from that thread (or before the run starts). A task that throws does not stop the loop:
 * the error is logged and kept in {@link #failures()} so that tests can insist there were none.
 */
public final class VirtualScheduler implements SimScheduler {
    private static final Logger LOG = LogManager.getLogger(VirtualScheduler.class);

    private final MockTicker ticker = Ticker.newMockTicker();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private final List<Throwable> failures = new ArrayList<>();
    private long seq;
    private long executed;
    private boolean running;
    // Tasks for "now" (execute): a FIFO ring with their sequence numbers, so that the hot path of
    // the simulation (kicks, notifications) allocates nothing; ordered against timed tasks by seq.
    private Runnable[] readyTasks = new Runnable[64];
    private long[] readySeq = new long[64];
    private int readyHead;
    private int readySize;

    private final class Entry implements Comparable<Entry>, Timer {
        final long deadline;
        final long order;
        final Runnable task;
        boolean cancelled;

        Entry(long deadline, long order, Runnable task) {
            this.deadline = deadline;
            this.order = order;
            this.task = task;
        }

        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(order, o.order);
        }

        @Override
        public boolean cancel() {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            return queue.remove(this);
        }
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    @Override
    public void execute(Runnable task) {
        if (readySize == readyTasks.length) {
            growReady();
        }
        int at = (readyHead + readySize) & (readyTasks.length - 1);
        readyTasks[at] = task;
        readySeq[at] = seq++;
        readySize++;
    }

    private void growReady() {
        int n = readyTasks.length;
        Runnable[] t = new Runnable[n * 2];
        long[] q = new long[n * 2];
        for (int i = 0; i < readySize; i++) {
            t[i] = readyTasks[(readyHead + i) & (n - 1)];
            q[i] = readySeq[(readyHead + i) & (n - 1)];
        }
        readyTasks = t;
        readySeq = q;
        readyHead = 0;
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        if (delayNanos < 0) {
            delayNanos = 0;
        }
        // Saturates: a delay past the end of the 64-bit clock means "never", not a deadline in the past.
        Entry e = new Entry(org.toyvm.core.units.Durations.addSaturating(now(), delayNanos), seq++, task);
        queue.add(e);
        return e;
    }

    @Override
    public boolean inLoop() {
        return true;
    }

    /** Tasks executed so far. */
    public long executedTasks() {
        return executed;
    }

    /** Tasks waiting. */
    public int pendingTasks() {
        return queue.size() + readySize;
    }

    /** Deadline (in {@link #now()} terms) of the next task, or -1 when none is queued. */
    public long nextDeadline() {
        if (readySize > 0) {
            return now();
        }
        Entry e = queue.peek();
        return e == null ? -1 : e.deadline;
    }

    /** Errors thrown by tasks (the loop went on). */
    public List<Throwable> failures() {
        return Collections.unmodifiableList(failures);
    }

    /** Runs everything due up to and including {@code deadline} and leaves the clock there. */
    public void runUntil(long deadline) {
        runUntil(deadline, () -> false);
    }

    /** Runs for {@code nanos} of virtual time from now. */
    public void runFor(long nanos) {
        runUntil(org.toyvm.core.units.Durations.addSaturating(now(), nanos));
    }

    /**
     * Runs tasks in deadline order until {@code stop} answers true (checked after each task), the
     * queue is empty, or the next task is after {@code deadline}; then, unless stopped, advances the
     * clock to {@code deadline}. Answers whether {@code stop} ended the run.
     */
    public boolean runUntil(long deadline, BooleanSupplier stop) {
        if (running) {
            throw new IllegalStateException("the virtual loop is already running (re-entrant run)");
        }
        running = true;
        try {
            while (true) {
                if (stop.getAsBoolean()) {
                    return true;
                }
                Entry e = queue.peek();
                Runnable task;
                if (readySize > 0 && (e == null || e.deadline > now() || e.order > readySeq[readyHead])) {
                    task = readyTasks[readyHead];
                    readyTasks[readyHead] = null;
                    readyHead = (readyHead + 1) & (readyTasks.length - 1);
                    readySize--;
                } else {
                    if (e == null || e.deadline > deadline) {
                        break;
                    }
                    queue.poll();
                    if (e.deadline > now()) {
                        ticker.advance(e.deadline - now(), TimeUnit.NANOSECONDS);
                    }
                    task = e.task;
                }
                executed++;
                try {
                    task.run();
                } catch (RuntimeException | AssertionError ex) {
                    failures.add(ex);
                    LOG.error("task failed on the virtual loop at t={}ns", now(), ex);
                }
            }
            if (deadline > now()) {
                ticker.advance(deadline - now(), TimeUnit.NANOSECONDS);
            }
            return false;
        } finally {
            running = false;
        }
    }

    /** Made once: a capturing lambda per call would allocate on every datapath kick. */
    private final BooleanSupplier idle = () -> queue.isEmpty() && readySize == 0;

    /** Runs until no task is left (beware of periodic tasks: use {@link #runUntil(long)} for those). */
    public void runUntilIdle() {
        runUntil(Long.MAX_VALUE, idle);
    }
}
