package org.toyvm.vdpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layering of vdpa-backend, read from this module's own source tree: which
 * {@code org.toyvm.vdpa.*} package refers to which (imports and fully qualified names, comments
 * ignored). No package may reach itself through others, and the layers stand as the package-infos
 * say: uapi and iotlb at the bottom, bus above them, parent and kernel side by side on the bus.
 */
class PackageDependencyTest {
    private static final Path SOURCES = Path.of("src", "main", "java", "org", "toyvm", "vdpa");
    private static final Pattern PACKAGE =
            Pattern.compile("^package\\s+org\\.toyvm\\.vdpa\\.(\\w+)\\s*;", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.toyvm\\.vdpa\\.(\\w+)\\.");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void noPackageReachesItselfThroughAnother() {
        Map<String, Set<String>> graph = graph();
        assertTrue(graph.keySet().containsAll(Set.of("uapi", "iotlb", "bus", "parent", "kernel")), graph.toString());
        assertEquals(List.of(), cycle(graph), "package cycle in vdpa-backend: " + graph);
    }

    @Test
    void layersStandAsThePackageInfosSay() {
        Map<String, Set<String>> g = graph();
        assertEquals(Set.of(), g.get("uapi"), "uapi depends on no other vdpa package");
        assertEquals(Set.of(), g.get("iotlb"), "iotlb depends on no other vdpa package");
        assertTrue(Set.of("uapi", "iotlb").containsAll(g.get("bus")), "bus: " + g.get("bus"));
        assertFalse(g.get("kernel").contains("parent"), "kernel must not import the parent drivers");
        assertFalse(g.get("parent").contains("kernel"), "parent drivers must not import the kernel");
    }

    @Test
    void everyPackageExplainsItself() throws IOException {
        for (String pkg : graph().keySet()) {
            Path info = SOURCES.resolve(pkg).resolve("package-info.java");
            assertTrue(Files.isRegularFile(info), "no package-info in " + pkg);
            String doc = Files.readString(info);
            assertTrue(doc.indexOf("*/") > 300, "package-info of " + pkg + " is not a real paragraph");
        }
    }

    /** The check itself: it finds a cycle where there is one, and none in a layered graph. */
    @Test
    void theCycleCheckFindsACycle() {
        Map<String, Set<String>> layered = Map.of("a", Set.of("b", "c"), "b", Set.of("c"), "c", Set.of());
        assertEquals(List.of(), cycle(layered));
        Map<String, Set<String>> cyclic = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of());
        assertEquals(List.of("a", "b", "c", "a"), cycle(cyclic));
    }

    /** package -> the other vdpa packages its main sources refer to. */
    private static Map<String, Set<String>> graph() {
        Map<String, Set<String>> g = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String code = COMMENT.matcher(Files.readString(f)).replaceAll(" ");
                Matcher pm = PACKAGE.matcher(code);
                if (!pm.find()) {
                    continue; // the module's root package
                }
                Set<String> out = g.computeIfAbsent(pm.group(1), k -> new TreeSet<>());
                Matcher rm = REFERENCE.matcher(code);
                while (rm.find()) {
                    if (!rm.group(1).equals(pm.group(1))) {
                        out.add(rm.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return g;
    }

    /** The first cycle found by depth-first search (as a path back to its start), or an empty list. */
    static List<String> cycle(Map<String, Set<String>> graph) {
        Set<String> done = new TreeSet<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            List<String> found = visit(graph, start, new ArrayList<>(), done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(Map<String, Set<String>> graph, String node, List<String> path,
            Set<String> done) {
        int at = path.indexOf(node);
        if (at >= 0) {
            List<String> c = new ArrayList<>(path.subList(at, path.size()));
            c.add(node);
            return c;
        }
        if (done.contains(node)) {
            return List.of();
        }
        path.add(node);
        for (String next : new TreeSet<>(graph.getOrDefault(node, Set.of()))) {
            List<String> found = visit(graph, next, path, done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.remove(path.size() - 1);
        done.add(node);
        return List.of();
    }
}
