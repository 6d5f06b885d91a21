package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness itself: crashes are caught, counted by signature and shrunk; oracles and hangs are told apart. */
class SurfaceRunnerTest {
    /** Inputs are lists of small numbers; 7 followed later by 3 crashes, 5 breaks an oracle, 9 hangs. */
    static final class Toy implements Surface<Integer> {
        private final boolean hangs;

        Toy(boolean hangs) {
            this.hangs = hangs;
        }

        @Override
        public String name() {
            return "toy";
        }

        @Override
        public List<Integer> generate(Gen g) {
            List<Integer> l = new ArrayList<>();
            if (hangs && g.below(3000) == 0) {
                l.add(9); // the only input that hangs (so shrinking another input never meets it)
                return l;
            }
            int n = 1 + g.below(12);
            for (int i = 0; i < n; i++) {
                l.add(g.below(9));
            }
            return l;
        }

        @Override
        public String run(List<Integer> input) {
            boolean seven = false;
            for (int x : input) {
                if (x == 9 && input.size() == 1) {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.onSpinWait();
                    }
                }
                if (x == 7) {
                    seven = true;
                }
                if (x == 3 && seven) {
                    int[] a = new int[1];
                    a[x] = 1; // the crash
                }
            }
            OracleFailure.check(!input.equals(List.of(5, 5)), "no-two-fives", () -> "two fives");
            return "sum " + input.stream().mapToInt(Integer::intValue).sum() % 4;
        }
    }

    private static SurfaceResult run(long seed, long inputs, long hangNanos) {
        boolean hangs = hangNanos < 10_000_000_000L; // only the hang test draws the hanging input
        return new SurfaceRunner("toy", () -> new Toy(hangs), seed, inputs, 60_000_000_000L, hangNanos).run();
    }

    @Test
    void crashesAreCaughtCountedAndShrunkToTheTwoStepsThatMatter() {
        SurfaceResult r = run(1, 2000, 60_000_000_000L);
        assertEquals(2000, r.inputs());
        assertTrue(r.crashes() > 0);
        Finding f = r.findings().stream().filter(x -> x.kind().equals("CRASH")).findFirst().orElseThrow();
        assertTrue(f.signature().startsWith("CRASH java.lang.ArrayIndexOutOfBoundsException"), f.signature());
        assertEquals("7\n3\n", f.reproducer(), "shrunk to the minimal input");
        assertEquals(r.crashes(), f.count());
        assertEquals(4, r.distinctOutcomes());
    }

    @Test
    void oracleFailuresAreNotCrashes() {
        SurfaceResult r = run(3, 5000, 60_000_000_000L);
        assertTrue(r.oracleFailures() > 0);
        assertTrue(r.findings().stream().anyMatch(f -> f.signature().equals("ORACLE no-two-fives")
                && f.reproducer().equals("5\n5\n")));
    }

    @Test
    void theSameSeedDrawsTheSameInputs() {
        SurfaceResult a = run(42, 500, 60_000_000_000L);
        SurfaceResult b = run(42, 500, 60_000_000_000L);
        assertEquals(a.crashes(), b.crashes());
        assertEquals(a.oracleFailures(), b.oracleFailures());
        assertEquals(a.findings().get(0).inputSeed(), b.findings().get(0).inputSeed());
    }

    @Test
    void anInputThatNeverEndsIsReportedAsAHangAndTheRunGoesOn() {
        SurfaceResult r = run(5, 4000, 2_000_000_000L);
        assertTrue(r.hangs() >= 1);
        // A hang's signature names the frame the watchdog caught the worker in, which a loaded machine
        // can vary between the spin and its interrupt check: group by the input, not by the frame.
        List<Finding> hangs = r.findings().stream().filter(f -> f.kind().equals("HANG")).toList();
        assertFalse(hangs.isEmpty());
        for (Finding h : hangs) {
            assertEquals("9\n", h.reproducer(), h.signature());
        }
        assertEquals(r.hangs(), hangs.stream().mapToLong(Finding::count).sum());
        assertEquals(4000, r.inputs(), "the inputs after the hang ran too");
        assertTrue(r.crashes() > 0, "and found what they find");
        assertFalse(r.clean());
    }
}
