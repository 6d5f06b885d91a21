package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Linux peer in a network namespace of its own: a veth pair (one end in the namespace) and a
 * {@code vxlan} interface with an IPv4 address, all with unique names, removed in {@link #close()}.
 * Only addresses on interfaces created here are configured.
 *
 * <pre>
 *  root namespace              | namespace tvmXXXX
 *  hostEnd 10.2xx.yy.1/30 -----+---- peerEnd 10.2xx.yy.2/30
 *  (toyvm's UDP port binds)    |     vx0 (vxlan vni N) 192.168.77.1/24
 * </pre>
 *
 * Without root or {@code ip}, tests using it are skipped with the reason; with
 * {@code TOYVM_REQUIRE_NETNS=1} (CI) that skip is a failure instead.
 */
final class Netns implements AutoCloseable {
    final String ns;
    final String hostEnd;
    final String peerEnd;
    final String hostIp;
    final String peerIp;
    final int vni;
    private final List<String> cleanup = new ArrayList<>();

    private Netns() {
        Random r = new Random();
        String tag = Integer.toHexString(0x10000 + r.nextInt(0xeffff));
        ns = "tvm" + tag;
        hostEnd = "tvh" + tag;
        peerEnd = "tvp" + tag;
        int a = 200 + r.nextInt(50);
        int b = r.nextInt(256);
        hostIp = "10." + a + "." + b + ".1";
        peerIp = "10." + a + "." + b + ".2";
        vni = 1000 + r.nextInt(10000);
    }

    /** Skips (or, in CI, fails) when the machine cannot make namespaces. */
    static void requireNetns() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "needs root to create network namespaces (running as " + System.getProperty("user.name") + ")";
        } else if (!onPath("ip")) {
            why = "needs the ip command (apt-get install iproute2)";
        } else if (!onPath("ping")) {
            why = "needs the ping command (apt-get install iputils-ping)";
        }
        if (why != null) {
            if ("1".equals(System.getenv("TOYVM_REQUIRE_NETNS"))) {
                fail("TOYVM_REQUIRE_NETNS=1 but the real-peer test cannot run: " + why);
            }
            Assumptions.abort("real-Linux-peer test skipped: " + why);
        }
    }

    private static boolean onPath(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new java.io.File(dir, cmd).canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** Creates the namespace, the veth pair and the vxlan interface with {@code peerVxlanCidr}. */
    static Netns create(String peerVxlanCidr) throws IOException, InterruptedException {
        Netns n = new Netns();
        try {
            n.sh("ip", "netns", "add", n.ns);
            n.cleanup.add(0, "ip netns del " + n.ns);
            n.sh("ip", "link", "add", n.hostEnd, "type", "veth", "peer", "name", n.peerEnd);
            n.cleanup.add(0, "ip link del " + n.hostEnd);
            n.sh("ip", "link", "set", n.peerEnd, "netns", n.ns);
            n.sh("ip", "addr", "add", n.hostIp + "/30", "dev", n.hostEnd);
            n.sh("ip", "link", "set", n.hostEnd, "up");
            n.sh("ip", "-n", n.ns, "addr", "add", n.peerIp + "/30", "dev", n.peerEnd);
            n.sh("ip", "-n", n.ns, "link", "set", n.peerEnd, "up");
            n.sh("ip", "-n", n.ns, "link", "set", "lo", "up");
            // No IPv6 inside the namespace: router solicitations and MLD reports over the tunnel would
            // be frames the tests did not ask for. (A namespace-local setting.)
            n.sh("ip", "netns", "exec", n.ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            n.sh("ip", "netns", "exec", n.ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            n.sh("ip", "-n", n.ns, "link", "add", "vx0", "type", "vxlan", "id", Integer.toString(n.vni), "remote",
                    n.hostIp, "local", n.peerIp, "dstport", "4789");
            n.sh("ip", "-n", n.ns, "addr", "add", peerVxlanCidr, "dev", "vx0");
            n.sh("ip", "-n", n.ns, "link", "set", "vx0", "up");
            return n;
        } catch (IOException | RuntimeException | InterruptedException e) {
            n.close();
            throw e;
        }
    }

    /** The toyvm side of the VXLAN tunnel. */
    String netdev(int localPort) {
        return "vxlan,local=" + hostIp + ":" + localPort + ",remote=" + peerIp + ":4789,vni=" + vni;
    }

    /** Runs a command, failing with its output when it exits non-zero. */
    String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    /** Starts a command inside the namespace (for ping); the caller waits for it. */
    Process start(String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full).redirectErrorStream(true).start();
    }

    @Override
    public void close() {
        for (String c : cleanup) {
            try {
                sh(c.split(" "));
            } catch (IOException | InterruptedException e) {
                // already gone with the namespace (the veth peer leaves with it)
            }
        }
    }
}
