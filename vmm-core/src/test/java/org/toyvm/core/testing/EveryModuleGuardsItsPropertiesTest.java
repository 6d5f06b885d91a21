package org.toyvm.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link PropertySeedContract} only guards modules that run it, so: every module of this build whose
 * tests use jqwik has its {@code JqwikSeedGuardTest}. Reads this clone's own sources (the parent POM's
 * module list and each module's src/test/java), nothing outside the clone.
 */
class EveryModuleGuardsItsPropertiesTest {
    private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");

    @Test
    void everyModuleWithPropertiesRunsTheSeedGuard() throws IOException {
        Path root = projectRoot();
        List<String> modules = new ArrayList<>();
        Matcher m = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1));
        }
        assertTrue(modules.contains("vmm-core"), "the parent POM lists its modules: " + modules);

        List<String> usingJqwik = new ArrayList<>();
        List<String> unguarded = new ArrayList<>();
        for (String module : modules) {
            Path tests = root.resolve(module).resolve("src/test/java");
            if (!anySourceContains(tests, "net.jqwik.api")) {
                continue;
            }
            usingJqwik.add(module);
            if (!anySourceContains(tests, "extends PropertySeedContract")) {
                unguarded.add(module);
            }
        }
        assertTrue(usingJqwik.contains("vmm-core"), "the source scan sees vmm-core's own properties: " + usingJqwik);
        assertEquals(List.of(), unguarded, "modules with jqwik tests but no JqwikSeedGuardTest "
                + "(a one-line 'class JqwikSeedGuardTest extends PropertySeedContract {}' and the vmm-core test-jar)");
    }

    private static boolean anySourceContains(Path dir, String text) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).anyMatch(f -> read(f).contains(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory of the parent POM: surefire runs in vmm-core, an IDE may run in the root. */
    private static Path projectRoot() throws IOException {
        for (Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>toyvm-parent</artifactId>")
                    && Files.isDirectory(p.resolve("vmm-core"))) {
                return p;
            }
        }
        throw new AssertionError("no toyvm parent POM above " + System.getProperty("user.dir"));
    }
}
