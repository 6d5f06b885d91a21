package org.toyvm.fuzz;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vm.uapi.UapiConsole;

/**
 * {@code toyvm uapi} scripts, in-process: random lines of the console language (every operation,
 * well-formed arguments with edge values, and mutated tokens), run against a fresh console.
 *
 * <p>Oracles: only a {@link UapiConsole.ScriptError} (one line, naming the line) may escape; every
 * STEP line has a documented rc/errno pair (0, 3 for open or 72 for a write with errno 0; -1 with
 * a named errno); after the script the device is closed and no page is left pinned.
 */
final class UapiSurface implements Surface<String> {
    private static final Pattern STEP = Pattern.compile("STEP (\\d+) (\\S+) rc=(-?\\d+) errno=(\\S+)( .*)?");
    private static final String[] OPS = {
        "open", "close", "set_owner", "get_features", "set_features", "get_backend_features", "set_backend_features",
        "get_device_id", "get_vring_num", "get_iova_range", "get_config_size", "get_vqs_count", "get_as_num",
        "get_group_num", "get_vring_group", "set_group_asid", "get_status", "set_status", "set_vring_num",
        "set_vring_base", "get_vring_base", "set_vring_addr", "set_vring_enable", "suspend", "resume", "mmap",
        "setrlimit_memlock", "update", "invalidate", "batch_begin", "batch_end", "write_hex", "pinned", "translate"
    };
    private static final String[] NUMS = {
        "0", "1", "2", "3", "4", "15", "255", "256", "0x7fffffff", "0x80000000", "0xffffffff", "0x100000000",
        "0x8000000000000000", "0xffffffffffffffff", "-1", "4K", "1M", "64M", "1G", "8T", "0x1000", "0x200000"
    };
    /** Numbers the console must refuse (as a ScriptError): a few percent of draws, so scripts go deep. */
    private static final String[] BAD_NUMS = {"0x10000000000000000", "16E", "0x", "x", "", "999999999999999999999", "1.5M"};

    private int scriptErrors;

    @Override
    public String name() {
        return "uapi";
    }

    private static String num(Gen g) {
        if (g.chance(3)) {
            return g.pick(BAD_NUMS);
        }
        return g.chance(60) ? g.pick(NUMS) : g.bool() ? "0x" + Long.toHexString(g.int64()) : Long.toUnsignedString(g.int64());
    }

    private static String line(Gen g) {
        String op = g.pick(OPS);
        StringBuilder sb = new StringBuilder(op);
        switch (op) {
            case "set_features", "set_backend_features", "get_vring_group", "get_vring_base", "set_status",
                    "setrlimit_memlock" -> sb.append(' ').append(num(g));
            case "set_group_asid", "set_vring_num", "set_vring_base", "set_vring_enable" -> sb.append(' ')
                    .append(g.chance(70) ? Integer.toString(g.below(4)) : num(g)).append(' ').append(num(g));
            case "set_vring_addr" -> sb.append(' ').append(g.below(4)).append(" desc=").append(num(g)).append(" avail=")
                    .append(num(g)).append(" used=").append(num(g));
            case "mmap" -> sb.append(' ').append(g.pick("guest", "shm", "a", "b")).append(' ').append(num(g))
                    .append(g.chance(50) ? "" : g.pick(" shared", " private", " huge"));
            case "update" -> sb.append(g.chance(30) ? " asid=" + num(g) : "").append(" iova=").append(num(g))
                    .append(" size=").append(num(g)).append(" uaddr=")
                    .append(g.chance(70) ? g.pick("guest", "shm", "a") + (g.bool() ? "" : "+" + num(g)) : num(g))
                    .append(" perm=").append(g.pick("ro", "wo", "rw", "none", "rwx"));
            case "invalidate" -> sb.append(g.chance(30) ? " asid=" + num(g) : "").append(" iova=").append(num(g))
                    .append(" size=").append(num(g));
            case "batch_begin", "batch_end" -> sb.append(g.chance(30) ? " asid=" + num(g) : "");
            case "translate" -> sb.append(g.chance(30) ? " asid=" + num(g) : "").append(" iova=").append(num(g));
            case "write_hex" -> {
                int n = g.pick(new int[] {0, 1, 39, 40, 72, 73, g.below(80)});
                StringBuilder h = new StringBuilder(g.chance(70) ? "02000000" : "");
                for (int i = h.length() / 2; i < n; i++) {
                    h.append(String.format("%02x", g.below(256)));
                }
                if (g.chance(10)) {
                    h.append('f'); // odd number of digits
                }
                sb.append(' ').append(h);
            }
            default -> {
            }
        }
        String l = sb.toString();
        // Mutations: a dropped or repeated token, a bad key, case, comments, blank lines.
        switch (g.below(40)) {
            case 0 -> l = l.contains(" ") ? l.substring(0, l.lastIndexOf(' ')) : l + " extra";
            case 1 -> l = l + " " + l.substring(l.indexOf(' ') + 1);
            case 2 -> l = l + " bogus=" + num(g);
            case 3 -> l = l.toUpperCase(java.util.Locale.ROOT);
            case 4 -> l = l + " # comment";
            case 5 -> l = g.bool() ? "" : "   \t";
            default -> {
            }
        }
        return l;
    }

    /** The parents a setup line picks from: each kind as shipped, and vdpa_sim with its other modes. */
    private static final String[] SETUP_PARENTS = {"platform", "mlx5", "vdpa-sim", "vdpa-sim,use_va=off",
        "vdpa-sim,batch_mapping=off", "vdpa-sim,use_va=off,batch_mapping=off"};

    @Override
    public List<String> generate(Gen g) {
        List<String> s = new ArrayList<>();
        s.add("#setup " + g.pick(KernelVersion.values()) + " " + g.pick(SETUP_PARENTS));
        if (g.chance(80)) {
            s.add("open");
            s.add("set_owner");
            s.add("mmap guest 64M");
            s.add("mmap shm 1M shared");
            if (g.chance(50)) {
                s.add("set_backend_features 0x" + Long.toHexString(g.chance(50) ? 0x10e : 0xe));
            }
        }
        int n = 1 + g.below(12);
        for (int i = 0; i < n; i++) {
            s.add(line(g));
        }
        return s;
    }

    @Override
    public String run(List<String> input) throws Exception {
        KernelVersion k = KernelVersion.V6_7;
        ParentSpec p = ParentSpec.shipped(ParentKind.MLX5);
        if (!input.isEmpty() && input.get(0).startsWith("#setup ")) {
            String[] t = input.get(0).split(" ");
            k = KernelVersion.parse(t[1]);
            p = ParentSpec.parse(t[2]);
        }
        StringWriter out = new StringWriter();
        UapiConsole c = new UapiConsole(k, p, new PrintWriter(out));
        String result = "ok";
        try {
            c.run(new BufferedReader(new StringReader(String.join("\n", input))));
        } catch (UapiConsole.ScriptError e) {
            OracleFailure.check(e.getMessage() != null && e.getMessage().startsWith("line ")
                    && e.getMessage().lines().count() == 1, "script-error-one-line", () -> String.valueOf(e.getMessage()));
            scriptErrors++;
            result = "script-error";
        }
        // Clean up as a process exit would: close the fd, then nothing may stay pinned.
        c.run(new BufferedReader(new StringReader("close\npinned\n")));
        List<String> lines = out.toString().lines().toList();
        StringBuilder outcome = new StringBuilder(result);
        for (String l : lines) {
            Matcher m = STEP.matcher(l);
            OracleFailure.check(m.matches(), "step-line-format", () -> l);
            long rc = Long.parseLong(m.group(3));
            String errno = m.group(4);
            boolean ok = errno.equals("0") ? rc == 0 || rc == 3 && m.group(2).equals("open") || rc == 72
                    : rc == -1 && isErrno(errno);
            OracleFailure.check(ok, "uapi-rc-errno-pair", () -> l);
            outcome.append(' ').append(errno);
        }
        String last = lines.get(lines.size() - 1);
        OracleFailure.check(last.contains(" pinned_pages=0 "), "pins-after-close", () -> last);
        return outcome.length() > 80 ? outcome.substring(0, 80) : outcome.toString();
    }

    private static boolean isErrno(String s) {
        for (Errno e : Errno.values()) {
            if (e != Errno.OK && e.name().equals(s)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String extra() {
        return scriptErrors + " scripts stopped at a bad line (exit 2)";
    }
}
