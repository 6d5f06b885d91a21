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
 * Every property test in the build goes through {@link Props}: scans the test sources of every module
 * the parent POM lists ({@code <module>/src/test/java}, nothing outside this clone) for the ways around
 * it. QuickTheories' own no-argument {@code QuickTheory.qt} seeds from the clock, so one such call makes the default build
 * non-deterministic; a {@code java.util.Random} in a property gives inputs that do not shrink.
 */
class PropsGuardTest {
    private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");

    /** What a test source must not do, with the reason reported. */
    private record Rule(Pattern pattern, String why) {
    }

    private static final List<Rule> EVERYWHERE = List.of(
            new Rule(Pattern.compile("\\bqt\\s*\\(\\s*\\)"), "calls QuickTheories' own no-argument qt (clock seed): use Props.qt"),
            new Rule(Pattern.compile("import\\s+(static\\s+)?org\\.quicktheories\\.(QuickTheory|WithQuickTheories)\\b"),
                    "uses QuickTheory directly: use Props.qt"),
            new Rule(Pattern.compile("\\bimplements\\s+[^{]*\\bWithQuickTheories\\b"), "uses WithQuickTheories: use Props.qt"),
            new Rule(Pattern.compile("\\.withFixedSeed\\s*\\("),
                    "fixes its own seed: Props chooses it (replay one with -Dtoyvm.props.seed=N)"));

    /** In a file holding properties (a Props.qt call). */
    private static final List<Rule> IN_PROPERTIES = List.of(
            new Rule(Pattern.compile("\\bjava\\.util\\.(Random|SplittableRandom)\\b|\\bnew\\s+(Splittable)?Random\\s*\\("
                    + "|\\bThreadLocalRandom\\b|\\bMath\\.random\\s*\\("),
                    "draws from java.util.Random & co. next to properties: draw from generators, so failures shrink"),
            new Rule(Pattern.compile("\\A(?![\\s\\S]*@Tag\\(\\s*(\"property\"|Props\\.TAG)\\s*\\))"),
                    "has properties but no @Tag(\"property\"): -Prandom-seeds would skip them"));

    private static final Pattern USES_PROPS = Pattern.compile("\\bProps\\.qt\\s*\\(");

    /** The offences in one source text ({@code name} only labels them). */
    static List<String> offences(String name, String source) {
        if (name.endsWith("/org/toyvm/core/testing/Props.java")) {
            return List.of(); // the one place allowed to build a QuickTheory
        }
        List<String> out = new ArrayList<>();
        check(name, source, EVERYWHERE, out);
        if (USES_PROPS.matcher(source).find()) {
            check(name, source, IN_PROPERTIES, out);
        }
        return out;
    }

    private static void check(String name, String source, List<Rule> rules, List<String> out) {
        for (Rule r : rules) {
            if (r.pattern().matcher(source).find()) {
                out.add(name + ": " + r.why());
            }
        }
    }

    @Test
    void theScannerFlagsEachWayAround() {
        // Built by concatenation, so this file's own text does not match the rules it tests.
        String q = "q" + "t";
        String prop = "@Tag(\"property\") @Test void p(TestInfo i) { Props" + ".qt(i, 10).forAll(g).checkAssert(x -> {}); }";
        assertEquals(List.of(), offences("a/Good.java", "class Good { " + prop + " }"));
        assertEquals(1, offences("a/Bad.java", "import static org.quick" + "theories.QuickTheory." + q + ";").size());
        assertEquals(1, offences("a/Bad.java", "class B { void p() { " + q + "().forAll(g); } }").size());
        assertEquals(1, offences("a/Bad.java", "class B { void p() { " + q + "( ).forAll(g); } }").size());
        assertEquals(1, offences("a/Bad.java", "class B implements With" + "QuickTheories { }").size());
        assertEquals(1, offences("a/Bad.java", "class B { " + prop.replace("10)", "10).with" + "FixedSeed(3L)") + " }").size());
        assertEquals(1, offences("a/Bad.java", "import java.util." + "Random; class B { " + prop + " }").size());
        assertEquals(1, offences("a/Bad.java", "class B { " + prop + " long s = new Splittable" + "Random(1).nextLong(); }").size());
        assertEquals(1, offences("a/Bad.java", "class B { " + prop.replace("@Tag(\"property\") ", "") + " }").size());
        // java.util.Random is fine in a file without properties.
        assertEquals(List.of(), offences("a/Plain.java", "class P { int x = new " + "Random(1).nextInt(); }"));
    }

    @Test
    void everyTestSourceInTheBuildGoesThroughProps() throws IOException {
        Path root = projectRoot();
        List<String> modules = new ArrayList<>();
        Matcher m = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1));
        }
        assertTrue(modules.contains("vmm-core"), "the parent POM lists its modules: " + modules);
        List<String> out = new ArrayList<>();
        List<String> withProperties = new ArrayList<>();
        int scanned = 0;
        for (String module : modules) {
            Path tests = root.resolve(module).resolve("src/test/java");
            if (!Files.isDirectory(tests)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(tests)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
                    String name = root.relativize(f).toString().replace('\\', '/');
                    String text = Files.readString(f);
                    scanned++;
                    if (USES_PROPS.matcher(text).find()) {
                        withProperties.add(name);
                    }
                    out.addAll(offences(name, text));
                }
            }
        }
        assertTrue(scanned > 50, "the scan reads the build's test sources, read " + scanned);
        assertTrue(withProperties.contains("vmm-core/src/test/java/org/toyvm/core/addr/AddrRangeTest.java"),
                "the scan sees vmm-core's own properties: " + withProperties);
        assertEquals(List.of(), out);
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
        throw new UncheckedIOException(new IOException("no toyvm parent POM above " + System.getProperty("user.dir")));
    }
}
