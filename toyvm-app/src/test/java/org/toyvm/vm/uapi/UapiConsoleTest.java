package org.toyvm.vm.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;

/** Scripts through the console for the control-plane rows of docs/linux-vhost-vdpa.md §8 and the table of §6. */
class UapiConsoleTest {
    private static final String PREFIX = String.join("\n", "open", "set_owner", "mmap guest 64M", "mmap shm 1M shared");

    /** vdpa-sim here is the per-entry, PA-mode simulator these scripts were written for (batch_mapping=0, use_va=0). */
    private static List<String> run(KernelVersion k, ParentKind p, String script) throws Exception {
        StringWriter out = new StringWriter();
        ParentSpec spec = p == ParentKind.VDPA_SIM ? ParentSpec.vdpaSim(false, false) : ParentSpec.shipped(p);
        new UapiConsole(k, spec, new PrintWriter(out)).run(new BufferedReader(new StringReader(script)));
        return out.toString().lines().toList();
    }

    private static List<String> sim(String body) throws Exception {
        return run(KernelVersion.V6_7, ParentKind.VDPA_SIM, PREFIX + "\n" + body);
    }

    /** The result of the last step: "rc=.. errno=.." plus whatever follows. */
    private static String last(List<String> lines) {
        String l = lines.get(lines.size() - 1);
        return l.substring(l.indexOf("rc="));
    }

    private static String hexMsg(int envelope, int asid, int type, long size) {
        return String.format("%02x000000%02x000000", envelope, asid) + "0000100000000000"
                + String.format("%016x", Long.reverseBytes(size)) + "0000000000000000" + "03"
                + String.format("%02x", type) + "00".repeat(38);
    }

    /** VHOST_VDPA_GET_VRING_DESC_GROUP: mlx5 6.7+ answers its desc group, vdpa_sim has no op, 6.6 no ioctl. */
    @Test
    void vringDescGroup() throws Exception {
        String q = "get_vring_desc_group 0\nget_vring_desc_group 2";
        List<String> mlx5 = run(KernelVersion.V6_12, ParentKind.MLX5, PREFIX + "\n" + q);
        assertTrue(mlx5.get(mlx5.size() - 2).contains("rc=0 errno=0 group=2"), mlx5.toString());
        assertTrue(last(mlx5).startsWith("rc=0 errno=0 group=1"), "the control queue's rings stay in the CVQ group");
        assertTrue(last(run(KernelVersion.V6_12, ParentKind.VDPA_SIM, PREFIX + "\n" + q)).startsWith("rc=-1 errno=EOPNOTSUPP"));
        assertTrue(last(run(KernelVersion.V6_6, ParentKind.MLX5, PREFIX + "\n" + q)).startsWith("rc=-1 errno=ENOTTY"));
        assertTrue(last(run(KernelVersion.V6_12, ParentKind.MLX5, "open\nget_vring_desc_group 0")).startsWith("rc=-1 errno=EPERM"));
    }

    @Test
    void shortWritesAndEnvelopes() throws Exception {
        assertTrue(last(sim("write_hex 02000000")).startsWith("rc=-1 errno=EINVAL"));
        // 40 bytes of an INVALIDATE: accepted, and the kernel answers 72.
        String inval = hexMsg(2, 0, 3, 0x1000);
        assertTrue(last(sim("batch_begin\nwrite_hex " + inval.substring(0, 80))).startsWith("rc=72 errno=0"));
        assertTrue(last(sim("batch_begin\nwrite_hex " + hexMsg(1, 0, 3, 0x1000))).startsWith("rc=72 errno=0"),
                "v1 envelope accepted");
        assertTrue(last(sim("write_hex " + hexMsg(7, 0, 3, 0x1000))).startsWith("rc=-1 errno=EINVAL"));
        for (int type : new int[] {1, 4, 9}) {
            assertTrue(last(sim("batch_begin\nwrite_hex " + hexMsg(2, 0, type, 0x1000))).startsWith("rc=-1 errno=EFAULT"),
                    "inner type " + type);
        }
    }

    @Test
    void acceptedEdgeCases() throws Exception {
        List<String> l = sim(String.join("\n", "update iova=0x1000 size=0x1000 uaddr=guest perm=rw",
                "invalidate iova=0x1000 size=0", "invalidate iova=0x900000 size=0x1000", "batch_end",
                "update iova=0x8000 size=0x1000 uaddr=guest+0x8000 perm=none",
                "update iova=0xffffffffffffffff size=1 uaddr=guest+0x10000 perm=rw"));
        for (String s : l.subList(4, l.size())) {
            assertTrue(s.contains("rc=72 errno=0"), s);
        }
        assertTrue(last(sim("update iova=0x1000 size=0 uaddr=guest perm=rw")).startsWith("rc=-1 errno=EINVAL"));
    }

    @Test
    void refusedMessagesAreEfaultWithTheInnerReason() throws Exception {
        String map = "update iova=0x100000 size=1M uaddr=guest perm=rw\n";
        assertTrue(last(sim(map + map)).contains("errno=EFAULT inner=EEXIST reason=OVERLAP"));
        assertTrue(last(sim(map + "update iova=0x1ff000 size=0x2000 uaddr=guest perm=rw")).contains("reason=OVERLAP"));
        assertTrue(last(sim("update iova=0xfffffffffffff000 size=0x2000 uaddr=guest perm=rw"))
                .contains("errno=EFAULT inner=EINVAL reason=OVERFLOW"));
        assertTrue(last(sim("set_backend_features 0xe\nupdate asid=2 iova=0 size=4K uaddr=guest perm=rw"))
                .contains("reason=BAD_ASID"));
        assertTrue(last(sim("set_backend_features 0x6\nupdate asid=7 iova=0 size=4K uaddr=guest perm=rw"))
                .startsWith("rc=72"), "asid ignored without IOTLB_ASID");
        assertTrue(last(sim("set_backend_features 0xe\nbatch_begin asid=0\nupdate asid=1 iova=0 size=4K uaddr=guest perm=rw"))
                .contains("reason=ASID_CHANGE_IN_BATCH"));
        assertTrue(last(sim("setrlimit_memlock 64K\nupdate iova=0 size=1M uaddr=guest perm=rw"))
                .contains("inner=ENOMEM reason=MEMLOCK"));
        assertTrue(last(sim("update iova=0 size=4K uaddr=0x1000 perm=rw")).contains("reason=UNMAPPED_UADDR"));
        assertTrue(last(sim("set_owner")).startsWith("rc=-1 errno=EBUSY"));
        assertTrue(last(run(KernelVersion.V6_7, ParentKind.MLX5, "open\nupdate iova=0 size=4K uaddr=0x1000 perm=rw"))
                .contains("inner=EPERM reason=NOT_OWNER"));
        assertTrue(last(sim("open")).startsWith("rc=-1 errno=EBUSY"));
    }

    @Test
    void backendFeaturesReportWhatIsOfferedNeverTheAckedSet() throws Exception {
        List<String> l = sim("get_backend_features\nset_backend_features 0x6\nget_backend_features");
        assertTrue(l.get(l.size() - 3).endsWith("features=0x17e"));
        assertTrue(l.get(l.size() - 1).endsWith("features=0x17e"));
        assertTrue(last(run(KernelVersion.V6_6, ParentKind.VDPA_SIM, "open\nset_backend_features 0x100"))
                .startsWith("rc=-1 errno=EOPNOTSUPP"), "no IOTLB_PERSIST before 6.7");
    }

    @Test
    void pinsAcrossResetReUpdateAndClose() throws Exception {
        List<String> l = sim(String.join("\n", "update iova=0 size=1M uaddr=shm perm=rw", "pinned", "set_status 0",
                "pinned", "update iova=0 size=1M uaddr=shm perm=rw", "invalidate iova=0x80000 size=4K", "pinned",
                "invalidate iova=0 size=1M", "pinned", "update iova=0 size=1M uaddr=shm perm=rw", "pinned", "close",
                "pinned"));
        List<String> tail = l.subList(4, l.size());
        assertTrue(tail.get(1).endsWith("pinned_pages=256 vmpin_kb=1024"));
        assertTrue(tail.get(3).endsWith("pinned_pages=256 vmpin_kb=1024"), "SET_STATUS(0) leaves the pins");
        assertTrue(tail.get(4).contains("errno=EFAULT"), "re-UPDATE after reset fails");
        assertTrue(tail.get(6).endsWith("pinned_pages=255 vmpin_kb=1020"), "middle 4 KiB of 4 KiB pages: one page");
        assertTrue(tail.get(8).endsWith("pinned_pages=0 vmpin_kb=0"));
        assertTrue(tail.get(10).endsWith("pinned_pages=256 vmpin_kb=1024"));
        assertTrue(tail.get(12).endsWith("pinned_pages=0 vmpin_kb=0"), "close drops every pin");
    }

    /** §6 through the console: what translate answers after SET_STATUS(0). */
    @ParameterizedTest
    @CsvSource({"6.6,platform,false,true", "6.6,mlx5,false,false", "6.6,vdpa-sim,false,false",
        "6.7,platform,false,true", "6.7,platform,true,true", "6.7,mlx5,false,false", "6.7,mlx5,true,true",
        "6.7,vdpa-sim,false,false", "6.7,vdpa-sim,true,true"})
    void survivalTable(String kernel, String parent, boolean persist, boolean survives) throws Exception {
        String script = String.join("\n", "open", "set_owner", "set_backend_features " + (persist ? "0x106" : "0x6"),
                "mmap guest 64M", "batch_begin", "update iova=0 size=64M uaddr=guest perm=rw", "batch_end",
                "set_status 0", "translate iova=0x1000");
        List<String> l = run(KernelVersion.parse(kernel), ParentKind.parse(parent), script);
        String t = last(l);
        assertEquals(survives, t.contains("addr=0x"), kernel + " " + parent + " persist=" + persist + ": " + t);
        assertEquals(!survives, t.contains("result=fault"), t);
    }

    @Test
    void unparsableLinesStopTheScriptNamingTheLine() {
        UapiConsole.ScriptError e = assertThrows(UapiConsole.ScriptError.class,
                () -> sim("update iova=zz size=1 uaddr=guest perm=rw"));
        assertTrue(e.getMessage().contains("line 5") && e.getMessage().contains("'zz'"), e.getMessage());
        assertThrows(UapiConsole.ScriptError.class, () -> sim("frobnicate"));
        assertThrows(UapiConsole.ScriptError.class, () -> sim("set_owner extra"));
        assertThrows(UapiConsole.ScriptError.class, () -> sim("invalidate iova=0 size=1 perm=rw"));
        assertThrows(UapiConsole.ScriptError.class, () -> sim("update iova=0 size=1 uaddr=guest perm=xx"));
    }

    // ------------------------------------------------------------------ argument widths (issue 11)

    private static final String[] U32_FITS = {"0", "0x7fffffff", "0x80000000", "0xffffffff", "4294967295"};
    private static final String[] U32_TOO_WIDE = {"0x100000000", "4294967296", "0x8000000000000000",
        "0xffffffffffffffff", "18446744073709551615"};
    private static final String[] BEYOND_U64 = {"0x10000000000000000", "18446744073709551616",
        "99999999999999999999999"};

    /** Each u32 argument, as a line template with {} where the value goes. */
    private static final String[] U32_LINES = {"set_vring_num {} 256", "set_vring_num 0 {}", "set_vring_base {} 0",
        "set_vring_base 0 {}", "get_vring_base {}", "set_vring_enable {} 1", "set_vring_enable 0 {}",
        "get_vring_group {}", "set_group_asid {} 0", "set_group_asid 0 {}",
        "set_vring_addr {} desc=0 avail=0 used=0", "update asid={} iova=0 size=4K uaddr=guest perm=rw",
        "invalidate asid={} iova=0 size=4K", "batch_begin asid={}", "batch_end asid={}", "translate asid={} iova=0"};

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> u32Lines() {
        return java.util.Arrays.stream(U32_LINES).flatMap(l -> java.util.stream.Stream.concat(
                java.util.Arrays.stream(U32_FITS), java.util.Arrays.stream(U32_TOO_WIDE))
                .map(v -> org.junit.jupiter.params.provider.Arguments.of(l, v)));
    }

    /**
     * A u32 field: values up to 2^32 − 1 reach the kernel model (which answers with an rc/errno), wider
     * ones are a script error naming the line, the argument and the range — never truncated.
     */
    @ParameterizedTest(name = "{0} with {1}")
    @org.junit.jupiter.params.provider.MethodSource("u32Lines")
    void u32ArgumentsAreNeverTruncated(String template, String value) throws Exception {
        String line = template.replace("{}", value);
        boolean fits = java.util.Arrays.asList(U32_FITS).contains(value);
        if (fits) {
            String r = last(sim(line));
            assertTrue(r.matches("rc=-?\\d+ errno=\\w+.*"), r);
        } else {
            UapiConsole.ScriptError e = assertThrows(UapiConsole.ScriptError.class, () -> sim(line));
            assertTrue(e.getMessage().startsWith("line 5: ") && e.getMessage().contains("'" + value + "'")
                    && e.getMessage().contains("0..0xffffffff (u32)"), e.getMessage());
        }
    }

    @Test
    void theIssuesExampleIsAScriptErrorAndVringZeroIsUntouched() throws Exception {
        UapiConsole.ScriptError e = assertThrows(UapiConsole.ScriptError.class,
                () -> sim("set_vring_num 0x100000000 256"));
        assertTrue(e.getMessage().contains("argument 1 (index): '0x100000000' is out of range 0..0xffffffff (u32)"),
                e.getMessage());
        // The largest u32 reaches the kernel, which refuses it (vhost_vdpa_vring_ioctl: idx >= nvqs).
        assertEquals("rc=-1 errno=ENOBUFS", last(sim("set_vring_num 0xffffffff 256")));
        assertEquals("rc=-1 errno=ENOBUFS", last(sim("set_vring_num 0x80000000 256")));
        assertEquals("rc=0 errno=0", last(sim("set_vring_num 0 256")));
    }

    @ParameterizedTest
    @CsvSource({"set_status {}", "update iova=0 size=4K uaddr=guest perm={}"})
    void u8Arguments(String template) throws Exception {
        for (String v : new String[] {"0", "0x7f", "0x80", "255"}) {
            String r = last(sim(template.replace("{}", v)));
            assertTrue(r.matches("rc=-?\\d+ errno=\\w+.*"), r);
        }
        for (String v : new String[] {"256", "0x100", "0x7fffffff", "0xffffffff", "0xffffffffffffffff"}) {
            UapiConsole.ScriptError e = assertThrows(UapiConsole.ScriptError.class, () -> sim(template.replace("{}", v)));
            assertTrue(e.getMessage().contains("0..0xff (u8)"), e.getMessage());
        }
    }

    /** u64 fields: all of 0..2^64 − 1 reach the kernel; 2^64 and beyond are script errors. */
    @ParameterizedTest
    @CsvSource({"set_features {}", "set_backend_features {}", "setrlimit_memlock {}",
        "update iova={} size=4K uaddr=guest perm=rw", "update iova=0 size={} uaddr=guest perm=rw",
        "update iova=0 size=4K uaddr={} perm=rw", "update iova=0 size=4K uaddr=guest+{} perm=rw",
        "invalidate iova={} size=4K", "invalidate iova=0 size={}", "translate iova={}",
        "set_vring_addr 0 desc={} avail=0 used=0", "set_vring_addr 0 desc=0 avail={} used={}"})
    void u64Arguments(String template) throws Exception {
        for (String v : new String[] {"0", "0x7fffffff", "0x80000000", "0xffffffff", "0x8000000000000000",
            "0xffffffffffffffff", "18446744073709551615"}) {
            if (template.contains("guest+") && !v.equals("0")) {
                // guest + offset past 2^64 is a script error; below it, a uaddr the kernel checks.
                long base = 0x7f0000000000L;
                long off = Long.parseUnsignedLong(v.startsWith("0x") ? v.substring(2) : v, v.startsWith("0x") ? 16 : 10);
                if (org.toyvm.core.addr.U64.addOverflows(base, off)) {
                    assertThrows(UapiConsole.ScriptError.class, () -> sim(template.replace("{}", v)));
                    continue;
                }
            }
            String r = last(sim(template.replace("{}", v)));
            assertTrue(r.matches("rc=-?\\d+ errno=\\w+.*"), template + " " + v + ": " + r);
        }
        for (String v : BEYOND_U64) {
            UapiConsole.ScriptError e = assertThrows(UapiConsole.ScriptError.class, () -> sim(template.replace("{}", v)));
            assertTrue(e.getMessage().contains("0..0xffffffffffffffff (u64)"), e.getMessage());
        }
    }

    /** mmap(2): length 0 is EINVAL; a length with no room (page rounding wraps, or no area) is ENOMEM. */
    @ParameterizedTest
    @CsvSource({"0,EINVAL", "0xffffffffffffffff,ENOMEM", "0x8000000000000000,ENOMEM", "0xfffffffffffff001,ENOMEM",
        "1,0", "0x7fffffff,0", "0x80000000,0", "0xffffffff,0"})
    void mmapLengths(String size, String errno) throws Exception {
        String r = last(run(KernelVersion.V6_7, ParentKind.MLX5, "mmap a " + size));
        assertTrue(r.startsWith("rc=" + (errno.equals("0") ? "0" : "-1") + " errno=" + errno), r);
    }

    @Test
    void mmapWithoutRoomIsENOMEM() throws Exception {
        List<String> l = run(KernelVersion.V6_7, ParentKind.MLX5, "mmap a 0x7fffffffffff0000\nmmap b 0x7fffffffffff0000\n"
                + "mmap c 4K");
        assertTrue(l.get(0).contains("rc=0 errno=0"), l.get(0));
        assertTrue(l.get(1).contains("rc=-1 errno=ENOMEM"), l.get(1));
        assertTrue(l.get(2).contains("rc=0 errno=0"), "a small block still fits above: " + l.get(2));
        assertThrows(UapiConsole.ScriptError.class, () -> sim("mmap a 1M shared extra"));
        assertThrows(UapiConsole.ScriptError.class, () -> sim("update iova=0 iova=1 size=4K uaddr=guest perm=rw"));
    }

    /** Every operation with every extreme value: a STEP line or a ScriptError, never another exception. */
    @Test
    void noExceptionEscapesForExtremeValues() throws Exception {
        String[] values = {"0", "1", "0x7fffffff", "0x80000000", "0xffffffff", "0x100000000", "0x8000000000000000",
            "0xffffffffffffffff", "0x10000000000000000", "-1", "0K", "16T", "x"};
        String[] templates = {"set_features {}", "set_backend_features {}", "get_vring_group {}", "set_group_asid {} {}",
            "set_status {}", "set_vring_num {} {}", "set_vring_base {} {}", "get_vring_base {}",
            "set_vring_addr {} desc={} avail={} used={}", "set_vring_enable {} {}", "setrlimit_memlock {}",
            "mmap m{} {}", "mmap s{} {} shared", "update asid={} iova={} size={} uaddr={} perm={}",
            "update iova={} size={} uaddr=guest+{} perm=rw", "invalidate asid={} iova={} size={}",
            "batch_begin asid={}", "batch_end asid={}", "translate asid={} iova={}", "write_hex {}"};
        for (String t : templates) {
            for (String v : values) {
                String line = t.replace("{}", v);
                try {
                    List<String> l = sim(line);
                    assertTrue(last(l).matches("rc=-?\\d+ errno=\\w+.*"), line + ": " + last(l));
                } catch (UapiConsole.ScriptError expected) {
                    assertTrue(expected.getMessage().startsWith("line 5: "), expected.getMessage());
                }
            }
        }
    }
}
