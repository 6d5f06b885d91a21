package org.toyvm.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * What every module's test run must hold for its jqwik properties; each module that runs tests has a
 * one-line subclass ({@code JqwikSeedGuardTest}) so these checks run inside that module's own jqwik
 * engine and see that module's test classes:
 * <ul>
 *   <li>a property runs with the seed {@link ProjectSeeds} chose (so the hook is registered and reaches
 *       this module's properties);</li>
 *   <li>jqwik keeps no failure database and never replays a stored sample (configured in the parent
 *       POM's surefire {@code systemPropertyVariables});</li>
 *   <li>no property in this module takes a {@code seed} number or a {@link Random} and draws its inputs
 *       from it: such inputs do not shrink.</li>
 * </ul>
 */
public abstract class PropertySeedContract {

    @Property(tries = 3)
    @AddLifecycleHook(ExpectTheBuildsSeed.class)
    public void runsWithTheSeedTheBuildChose(@ForAll int anything) {
        // The check is in ExpectTheBuildsSeed: it sees the seed this property actually ran with.
    }

    @Example
    public void jqwikKeepsNoDatabaseAndNeverReplaysAStoredFailure() {
        assertEquals("", System.getProperty("jqwik.database"),
                "jqwik.database must be set to empty (no .jqwik-database): see the parent pom's surefire config");
        assertEquals("false", System.getProperty("jqwik.failures.runfirst"), "jqwik.failures.runfirst");
        assertEquals("RANDOM_SEED", System.getProperty("jqwik.failures.after.default"),
                "jqwik.failures.after.default: a previous failure must never change what runs");
    }

    @Example
    public void everyPropertyDrawsItsInputsFromGenerators() {
        // The detector itself must work: it flags the offender below and not this contract.
        assertEquals(List.of("Offender#fromARandom: java.util.Random parameter", "Offender#fromASeed: @ForAll seed"),
                offences(List.of(Offender.class)).stream().map(s -> s.substring(s.indexOf('$') + 1)).toList());
        assertEquals(List.of(), offences(List.of(PropertySeedContract.class)));
        assertTrue(propertiesOf(PropertySeedContract.class).size() >= 3, "the detector sees this contract's properties");

        List<Class<?>> classes = new ArrayList<>(testClassesOfThisModule());
        classes.remove(Offender.class); // vmm-core's own test classes hold the detector's sample
        assertTrue(classes.contains(getClass()),
                "the scan of " + testClassesDir() + " must find this class itself, found " + classes.size());
        assertEquals(List.of(), offences(classes),
                "properties must draw inputs from jqwik generators (Arbitraries, @ForAll with constraints), not a "
                        + "seed fed to java.util.Random: such failures do not shrink");
    }

    /** Fails the guarded property unless it ran with the seed {@link ProjectSeeds} gives it in this mode. */
    public static final class ExpectTheBuildsSeed implements AroundPropertyHook {
        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            PropertyExecutionResult result = property.execute();
            String fixed = ProjectSeeds.fixedSeedFor(context.containerClass(), context.targetMethod());
            Optional<String> ran = result.seed();
            if (ProjectSeeds.Mode.current() == ProjectSeeds.Mode.FIXED) {
                if (!ran.equals(Optional.of(fixed))) {
                    return result.mapToFailed("ran with seed " + ran.orElse("(none)") + ", the build's fixed seed for it is "
                            + fixed + ": is org.toyvm.core.testing.ProjectSeeds registered (vmm-core test-jar on the "
                            + "test classpath, META-INF/services/net.jqwik.api.lifecycle.LifecycleHook)?");
                }
            } else if (ran.isEmpty() || ran.get().equals(fixed)) {
                return result.mapToFailed("random-seed mode ran with seed " + ran.orElse("(none)") + ", not a random one");
            }
            return result;
        }
    }

    /** Not a container jqwik runs (abstract): the detector's known offences. */
    abstract static class Offender {
        @Property
        abstract void fromASeed(@ForAll long seed);

        @Property
        abstract void fromARandom(Random rnd);

        @Property
        abstract void fine(@ForAll long size, @ForAll("seeds") long seed2);
    }

    /** Each property method of the given classes that takes a seed number or a random generator. */
    static List<String> offences(List<Class<?>> classes) {
        List<String> out = new ArrayList<>();
        for (Class<?> c : classes) {
            for (Method m : propertiesOf(c)) {
                for (Parameter p : m.getParameters()) {
                    String where = c.getName() + "#" + m.getName() + ": ";
                    if (!p.isNamePresent()) {
                        out.add(where + "parameter names not compiled in (javac -parameters), cannot check");
                    } else if (Random.class.isAssignableFrom(p.getType()) || p.getType() == SplittableRandom.class) {
                        out.add(where + p.getType().getName() + " parameter");
                    } else if (p.isAnnotationPresent(ForAll.class) && p.getName().equalsIgnoreCase("seed")) {
                        out.add(where + "@ForAll seed");
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Methods jqwik runs as properties: {@code @Property} directly or through {@code @Example} and the like. */
    static List<Method> propertiesOf(Class<?> c) {
        return Stream.of(c.getDeclaredMethods()).filter(m -> AnnotationSupport.isAnnotated(m, Property.class)).toList();
    }

    private Path testClassesDir() {
        try {
            return Paths.get(getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every class compiled from this module's src/test/java (the directory the concrete guard came from). */
    private List<Class<?>> testClassesOfThisModule() {
        Path root = testClassesDir();
        assertTrue(Files.isDirectory(root), "test classes are a directory: " + root);
        try (Stream<Path> files = Files.walk(root)) {
            List<Class<?>> out = new ArrayList<>();
            for (Path f : files.filter(x -> x.toString().endsWith(".class")).toList()) {
                String rel = root.relativize(f).toString();
                String name = rel.substring(0, rel.length() - ".class".length()).replace(f.getFileSystem().getSeparator(), ".");
                if (name.endsWith("module-info") || name.endsWith("package-info")) {
                    continue;
                }
                out.add(Class.forName(name, false, getClass().getClassLoader()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("a compiled test class does not load", e);
        }
    }
}
