package org.toyvm.core.testing;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyAttributes;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Chooses the seed of every jqwik property in the build, registered globally through
 * {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook} (this test-jar is on every module's
 * test classpath).
 *
 * <p>jqwik 1.10 has no configuration parameter for a default seed ({@code jqwik.seeds.whenfixed} only
 * says what to do when a seed <em>is</em> fixed), but a hook may set a property's attributes before it
 * runs ({@link PropertyLifecycleContext#attributes()}). So:
 * <ul>
 *   <li>{@code fixed} (the default): a property without {@code @Property(seed = ...)} gets a seed
 *       derived from its class and method ({@link #fixedSeedFor}), the same on every run and machine,
 *       so a commit is green or red every time. An explicit seed is kept.</li>
 *   <li>{@code random} ({@code -Dtoyvm.jqwik.seeds=random}, set by {@code mvn -Prandom-seeds}): every
 *       property, explicit seed or not, gets a fresh random seed from jqwik (reported on failure), and
 *       its tries are multiplied by {@code toyvm.jqwik.tries.factor}.</li>
 * </ul>
 */
public final class ProjectSeeds implements AroundPropertyHook {
    /** System property choosing the mode: {@code fixed} or {@code random}. */
    public static final String MODE = "toyvm.jqwik.seeds";
    /** System property: how many times more tries in random mode (default 1). */
    public static final String TRIES_FACTOR = "toyvm.jqwik.tries.factor";
    /** jqwik's own default when neither the annotation nor {@code jqwik.tries.default} says otherwise. */
    static final int JQWIK_DEFAULT_TRIES = 1000;

    /** The two ways a build chooses seeds. */
    public enum Mode {
        FIXED, RANDOM;

        /** The mode this JVM runs in; anything but {@code fixed} or {@code random} is a setup error. */
        public static Mode current() {
            String v = System.getProperty(MODE, "fixed").trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "", "fixed" -> FIXED;
                case "random" -> RANDOM;
                default -> throw new IllegalStateException(MODE + " must be fixed or random, not '" + v + "'");
            };
        }
    }

    @Override
    public PropagationMode propagateTo() {
        // Registered at engine level: reach every container and property below it.
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public int aroundPropertyProximity() {
        // Outermost: the seed must be in place before anything else looks at the attributes.
        return -1000;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        PropertyAttributes attributes = context.attributes();
        if (Mode.current() == Mode.FIXED) {
            if (attributes.seed().isEmpty()) {
                attributes.setSeed(fixedSeedFor(context.containerClass(), context.targetMethod()));
            }
        } else {
            attributes.setSeed(null); // jqwik draws a random seed and prints it if the property fails
            if (drawsInputs(context.targetMethod())) { // an @Example stays one try
                int tries = attributes.tries().orElse(JQWIK_DEFAULT_TRIES);
                attributes.setTries(Math.multiplyExact(tries, triesFactor()));
            }
        }
        return property.execute();
    }

    /**
     * The fixed seed of one property: FNV-1a (64 bit) of {@code Class#method(paramTypes)}. String
     * bytes, not {@code hashCode} of objects, so it is the same in every JVM; per property, so two
     * properties do not walk the same random stream.
     */
    public static String fixedSeedFor(Class<?> container, Method method) {
        String id = container.getName() + "#" + method.getName() + Arrays.stream(method.getParameterTypes())
                .map(Class::getName).collect(Collectors.joining(",", "(", ")"));
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return Long.toString(h);
    }

    private static boolean drawsInputs(Method method) {
        return Arrays.stream(method.getParameters()).anyMatch(p -> p.isAnnotationPresent(ForAll.class));
    }

    private static int triesFactor() {
        String v = System.getProperty(TRIES_FACTOR, "1").trim();
        try {
            int f = Integer.parseInt(v);
            if (f >= 1) {
                return f;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalStateException(TRIES_FACTOR + " must be a whole number >= 1, not '" + v + "'");
    }
}
