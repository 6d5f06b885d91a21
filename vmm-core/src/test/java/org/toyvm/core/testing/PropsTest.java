package org.toyvm.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.generators.Generate;

/** The seed policy of {@link Props}: fixed per property by default, random on demand, replayable. */
class PropsTest {
    private static Properties sys(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void fixedModeSeedsFromThePropertyNameAndKeepsItsExamples() {
        Props.Settings a = Props.settings("a.B#c", 300, sys(), 42);
        assertEquals(new Props.Settings(Props.fixedSeedFor("a.B#c"), 300), a);
        assertEquals(a, Props.settings("a.B#c", 300, sys(Props.SEEDS, "fixed", Props.EXAMPLES_FACTOR, "7"), 43),
                "the factor is for random mode; the random draw is unused");
        assertNotEquals(a.seed(), Props.settings("a.B#d", 300, sys(), 42).seed(), "one stream per property");
        // FNV-1a 64 of "a": a published test vector, so the seed is the same in every JVM.
        assertEquals(0xaf63dc4c8601ec8cL, Props.fixedSeedFor("a"));
    }

    @Test
    void randomModeTakesTheFreshSeedAndMultipliesExamples() {
        assertEquals(new Props.Settings(42, 3000), Props.settings("a.B#c", 300, sys(Props.SEEDS, "random"), 42));
        assertEquals(new Props.Settings(42, 1500),
                Props.settings("a.B#c", 300, sys(Props.SEEDS, "random", Props.EXAMPLES_FACTOR, "5"), 42));
        assertEquals(new Props.Settings(-7, 3000),
                Props.settings("a.B#c", 300, sys(Props.SEEDS, "random", Props.SEED, "-7"), 42), "replay a seed");
        assertEquals(new Props.Settings(-7, 300), Props.settings("a.B#c", 300, sys(Props.SEED, " -7 "), 42));
    }

    @Test
    void misconfigurationIsAnErrorNotASilentDefault() {
        assertThrows(IllegalStateException.class, () -> Props.settings("x", 1, sys(Props.SEEDS, "rnd"), 0));
        assertThrows(IllegalStateException.class,
                () -> Props.settings("x", 1, sys(Props.SEEDS, "random", Props.EXAMPLES_FACTOR, "0"), 0));
        assertThrows(IllegalStateException.class, () -> Props.settings("x", 1, sys(Props.SEED, "0x10"), 0));
        assertThrows(IllegalArgumentException.class, () -> Props.settings("x", 0, sys(), 0));
    }

    @Test
    @Tag(Props.TAG)
    void sameSeedSameExamplesAndAFailureReportsItsSeed(TestInfo info) {
        List<Integer> first = new ArrayList<>();
        List<Integer> second = new ArrayList<>();
        Props.runner(new Props.Settings(1130, 50)).forAll(Generate.range(0, 1_000_000)).checkAssert(first::add);
        Props.runner(new Props.Settings(1130, 50)).forAll(Generate.range(0, 1_000_000)).checkAssert(second::add);
        assertTrue(first.size() >= 45, "QuickTheories runs (about) the examples asked for: " + first.size());
        assertEquals(first, second, "a seed draws the same examples every run");

        AssertionError e = assertThrows(AssertionError.class, () -> Props.runner(new Props.Settings(-5, 200))
                .forAll(Generate.range(0, 1_000_000)).checkAssert(x -> assertTrue(x < 1000, "small")));
        assertTrue(e.getMessage().contains("Seed was -5"), e.getMessage());
        assertTrue(e.getMessage().contains("Smallest found falsifying value(s) :-"), e.getMessage());

        // And through the policy, in whatever mode this run is in: a failure names some seed.
        AssertionError viaPolicy = assertThrows(AssertionError.class, () -> Props.qt(info, 200)
                .forAll(Generate.range(0, 1_000_000)).checkAssert(x -> assertTrue(x < 1000, "small")));
        assertTrue(viaPolicy.getMessage().contains("Seed was "), viaPolicy.getMessage());
    }
}
