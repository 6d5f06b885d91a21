package org.toyvm.core.testing;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.junit.jupiter.api.TestInfo;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Configuration;
import org.quicktheories.core.ExceptionReporter;
import org.quicktheories.core.Guidance;
import org.quicktheories.core.NoGuidance;
import org.quicktheories.core.PseudoRandom;
import org.quicktheories.core.Strategy;

/**
 * The one way a property test in this build gets its QuickTheories runner: seed and number of
 * examples follow the build's policy, never QuickTheories' own defaults ({@code QuickTheory.qt()}
 * seeds from {@code System.nanoTime()} and reads {@code QT_SEED}/{@code QT_EXAMPLES}/{@code QT_PROFILE}
 * system properties; {@code PropsGuardTest} keeps every other test source off it).
 * <ul>
 *   <li>{@code fixed} (default, {@code -Dtoyvm.props.seeds=fixed}): the seed is FNV-1a (64 bit) of the
 *       property's {@code class#method}, the same on every run and machine, so a commit is green or red
 *       every time; the examples are what the property asks for.</li>
 *   <li>{@code random} ({@code mvn -Prandom-seeds}): a fresh seed per property per run, and the examples
 *       multiplied by {@code -Dtoyvm.props.examples.factor} (10 when unset).</li>
 *   <li>{@code -Dtoyvm.props.seed=N} (either mode): replay seed N, e.g. the "Seed was N" of a failure
 *       report, with the examples of the run that failed.</li>
 * </ul>
 * Use: {@code Props.qt(info, 500).forAll(gen).checkAssert(x -> ...)} in a JUnit {@code @Test} tagged
 * {@code @Tag("property")} that takes a {@link TestInfo}.
 */
public final class Props {
    /** System property choosing the mode: {@code fixed} or {@code random}. */
    public static final String SEEDS = "toyvm.props.seeds";
    /** System property: examples multiplier in random mode (default {@link #DEFAULT_RANDOM_FACTOR}). */
    public static final String EXAMPLES_FACTOR = "toyvm.props.examples.factor";
    /** System property: one seed to replay, overriding the mode's. */
    public static final String SEED = "toyvm.props.seed";
    /** The JUnit tag on every property test; {@code -Prandom-seeds} runs only these. */
    public static final String TAG = "property";
    static final int DEFAULT_RANDOM_FACTOR = 10;
    /** QuickTheories' own default number of generate attempts under {@code assuming}. */
    private static final int GENERATE_ATTEMPTS = 10;

    private Props() {
    }

    /** The runner for the JUnit test method {@code info} describes, asking for {@code examples} examples. */
    public static QuickTheory qt(TestInfo info, int examples) {
        Class<?> c = info.getTestClass().orElseThrow(() -> new IllegalStateException("no test class: " + info));
        Method m = info.getTestMethod().orElseThrow(() -> new IllegalStateException("no test method: " + info));
        return qt(c.getName() + "#" + m.getName(), examples);
    }

    /** The runner for the property named {@code propertyId} (conventionally {@code class#method}). */
    public static QuickTheory qt(String propertyId, int examples) {
        return runner(settings(propertyId, examples, System.getProperties(), ThreadLocalRandom.current().nextLong()));
    }

    /** The runner for exactly these settings (package-private: properties go through the policy). */
    static QuickTheory runner(Settings s) {
        // Built from scratch (not QuickTheory.qt().withFixedSeed(..)): the default strategy would
        // still read QT_* system properties and profiles for everything the policy does not set.
        Function<PseudoRandom, Guidance> noGuidance = prng -> new NoGuidance();
        Strategy strategy = new Strategy(Configuration.defaultPRNG(s.seed()), s.examples(), -1,
                Math.multiplyExact(s.examples(), 100), GENERATE_ATTEMPTS, new ExceptionReporter(), noGuidance);
        return QuickTheory.qt(() -> strategy);
    }

    /** Seed and examples one property runs with; {@code randomSeed} is used only in random mode. */
    public record Settings(long seed, int examples) {
    }

    /** The policy as a pure function of the system properties, so it can be tested. */
    public static Settings settings(String propertyId, int examples, Properties sys, long randomSeed) {
        if (examples < 1) {
            throw new IllegalArgumentException("a property needs at least one example, not " + examples);
        }
        String mode = value(sys, SEEDS, "fixed").toLowerCase(Locale.ROOT);
        boolean random = switch (mode) {
            case "fixed" -> false;
            case "random" -> true;
            default -> throw new IllegalStateException(SEEDS + " must be fixed or random, not '" + mode + "'");
        };
        int factor = random ? wholeNumber(sys, EXAMPLES_FACTOR, DEFAULT_RANDOM_FACTOR) : 1;
        long seed = random ? randomSeed : fixedSeedFor(propertyId);
        String replay = value(sys, SEED, "");
        if (!replay.isEmpty()) {
            try {
                seed = Long.parseLong(replay);
            } catch (NumberFormatException e) {
                throw new IllegalStateException(SEED + " must be a 64-bit number, not '" + replay + "'", e);
            }
        }
        return new Settings(seed, Math.multiplyExact(examples, factor));
    }

    /**
     * FNV-1a (64 bit) of the property's id: string bytes, not {@code hashCode} of objects, so the same
     * in every JVM; per property, so two properties do not walk the same random stream.
     */
    public static long fixedSeedFor(String propertyId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : propertyId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static String value(Properties sys, String key, String dflt) {
        String v = sys.getProperty(key);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private static int wholeNumber(Properties sys, String key, int dflt) {
        String v = value(sys, key, Integer.toString(dflt));
        try {
            int f = Integer.parseInt(v);
            if (f >= 1) {
                return f;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalStateException(key + " must be a whole number >= 1, not '" + v + "'");
    }
}
