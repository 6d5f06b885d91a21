package org.toyvm.core.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
    private static final long MS = 1_000_000L;

    /** Three periodic tasks for ten simulated minutes; answers the order they ran in. */
    private static List<String> tenMinutes() {
        VirtualScheduler s = new VirtualScheduler();
        List<String> trace = new ArrayList<>();
        periodic(s, trace, "a", 10 * MS);
        periodic(s, trace, "b", 7 * MS);
        periodic(s, trace, "c", 1000 * MS);
        s.runUntil(600_000 * MS);
        assertEquals(600_000 * MS, s.now());
        assertEquals(List.of(), s.failures());
        return trace;
    }

    private static void periodic(VirtualScheduler s, List<String> trace, String name, long period) {
        s.schedule(new Runnable() {
            @Override
            public void run() {
                trace.add(name + "@" + s.now());
                s.schedule(this, period);
            }
        }, period);
    }

    @Test
    void tenSimulatedMinutesRunFastAndIdenticallyTwice() {
        List<String> first = tenMinutes();
        List<String> second = tenMinutes();
        assertEquals(60_000 + 85_714 + 600, first.size());
        assertEquals(first, second);
    }

    @Test
    void sameDeadlineRunsInSchedulingOrderAndFailuresDoNotStopTheLoop() {
        VirtualScheduler s = new VirtualScheduler();
        List<String> trace = new ArrayList<>();
        s.schedule(() -> trace.add("x"), 5);
        s.schedule(() -> {
            throw new IllegalStateException("boom");
        }, 5);
        s.schedule(() -> trace.add("y"), 5);
        s.execute(() -> trace.add("now"));
        SimScheduler.Timer t = s.schedule(() -> trace.add("cancelled"), 6);
        t.cancel();
        s.runUntilIdle();
        assertEquals(List.of("now", "x", "y"), trace);
        assertEquals(1, s.failures().size());
        assertEquals(5, s.now());
    }
}
