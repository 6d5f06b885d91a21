package org.toyvm.vm.uapi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.kernel.IoctlResult;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.kernel.WriteResult;
import org.toyvm.vdpa.parent.VdpaParents;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;

/**
 * {@code toyvm uapi}: a scripted console over the simulated {@code /dev/vhost-vdpa-0}. One
 * operation per line, run against a fresh device and process; one {@code STEP} line printed per
 * operation: {@code STEP <line> <op> rc=<int> errno=<NAME|0>[ key=value...]}.
 *
 * <p>{@code update}, {@code invalidate} and {@code batch_*} encode a {@code struct vhost_msg_v2}
 * with the same encoder the VMM frontend uses and go through the same write path. A line that
 * cannot be parsed stops the script ({@link ScriptError}, exit code 2); an operation the kernel
 * model refuses is reported, not fatal.
 *
 * <p>Every numeric argument is read at the width of the field the real ioctl or message carries it
 * in (see {@link ScriptArgs.Field}): a value that does not fit that field is a script error naming the line,
 * the argument and the accepted range, because a C program could not put it there either. A value
 * that fits is passed exactly as the kernel would see it, and the model answers with the kernel's
 * errno: {@code set_vring_num 0x100000000 256} is a script error (the index is the u32
 * {@code vhost_vring_state.index}), while {@code set_vring_num 0xffffffff 256} reaches the kernel
 * and is ENOBUFS. {@code mmap} answers EINVAL for length 0 and ENOMEM where there is no room, as
 * mmap(2) does.
 */
public final class UapiConsole {
    /** A line that cannot be parsed. */
    public static final class ScriptError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ScriptError(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private static final int FD = 3;

    /** Positional arguments each operation takes (key=value arguments are checked where they are read). */
    private static final Map<String, Integer> ARITY = Map.ofEntries(
            Map.entry("open", 0), Map.entry("close", 0), Map.entry("set_owner", 0), Map.entry("get_features", 0),
            Map.entry("set_features", 1), Map.entry("get_backend_features", 0), Map.entry("set_backend_features", 1),
            Map.entry("get_device_id", 0), Map.entry("get_vring_num", 0), Map.entry("get_iova_range", 0),
            Map.entry("get_config_size", 0), Map.entry("get_vqs_count", 0), Map.entry("get_as_num", 0),
            Map.entry("get_group_num", 0), Map.entry("get_vring_group", 1), Map.entry("set_group_asid", 2),
            Map.entry("get_vring_desc_group", 1),
            Map.entry("get_status", 0), Map.entry("set_status", 1), Map.entry("set_vring_num", 2),
            Map.entry("set_vring_base", 2), Map.entry("get_vring_base", 1), Map.entry("set_vring_addr", 1),
            Map.entry("set_vring_enable", 2), Map.entry("suspend", 0), Map.entry("resume", 0),
            Map.entry("setrlimit_memlock", 1), Map.entry("update", 0), Map.entry("invalidate", 0),
            Map.entry("batch_begin", 0), Map.entry("batch_end", 0), Map.entry("write_hex", 1), Map.entry("pinned", 0),
            Map.entry("translate", 0), Map.entry("read", 0), Map.entry("poll", 0), Map.entry("set_vring_kick", 1),
            Map.entry("set_vring_call", 1));
    /** Operations that take key=value arguments, and which keys. */
    private static final Map<String, java.util.Set<String>> KEYS = Map.of(
            "set_vring_addr", java.util.Set.of("desc", "avail", "used"),
            "update", java.util.Set.of("asid", "iova", "size", "uaddr", "perm"),
            "invalidate", java.util.Set.of("asid", "iova", "size"),
            "batch_begin", java.util.Set.of("asid"),
            "batch_end", java.util.Set.of("asid"),
            "translate", java.util.Set.of("asid", "iova"));

    private final HostAddressSpace mm = new HostAddressSpace();
    private final VhostVdpaDevice dev;
    private final Map<String, RamBlock> mmaps = new HashMap<>();
    private final PrintWriter out;
    private final boolean vmPinEveryStep;
    private int line;
    private final ScriptArgs args = new ScriptArgs(() -> line);

    /** A console on the parent as its module ships ({@link ParentSpec#shipped}). */
    public UapiConsole(KernelVersion kernel, ParentKind parent, PrintWriter out) {
        this(kernel, ParentSpec.shipped(parent), out);
    }

    /** A console on {@code parent} with its module options (e.g. {@code vdpa-sim,use_va=off}). */
    public UapiConsole(KernelVersion kernel, ParentSpec parent, PrintWriter out) {
        this(kernel, parent, out, false);
    }

    /** As {@link #UapiConsole(KernelVersion, ParentSpec, PrintWriter, boolean)} with the parent as shipped. */
    public UapiConsole(KernelVersion kernel, ParentKind parent, PrintWriter out, boolean vmPinEveryStep) {
        this(kernel, ParentSpec.shipped(parent), out, vmPinEveryStep);
    }

    /**
     * A console that, when {@code vmPinEveryStep}, ends every STEP line with the process's
     * {@code vmpin_kb=} (VmPin of /proc/self/status) after the step, as a replay of a real-kernel
     * transcript compares it step by step.
     */
    public UapiConsole(KernelVersion kernel, ParentSpec parent, PrintWriter out, boolean vmPinEveryStep) {
        this.out = out;
        this.vmPinEveryStep = vmPinEveryStep;
        CostMeter meter = new CostMeter(CostProfile.zero());
        KernelCounters counters = new KernelCounters();
        VirtioNetNic nic = new VirtioNetNic(new VirtualScheduler(), mm, 0x525400123456L);
        this.dev = new VhostVdpaDevice("vhost-vdpa-0", kernel, VdpaParents.create(parent, nic, kernel, meter, counters),
                mm, meter, counters);
    }

    /** Runs a whole script; answers the number of steps run. */
    public int run(BufferedReader script) throws IOException {
        int steps = 0;
        for (String raw; (raw = script.readLine()) != null;) {
            line++;
            int hash = raw.indexOf('#');
            String text = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (text.isEmpty()) {
                continue;
            }
            step(text);
            steps++;
        }
        out.flush();
        return steps;
    }

    private ScriptError bad(String msg) {
        return new ScriptError(line, msg);
    }

    private void step(String text) {
        String[] t = text.split("\\s+");
        String op = t[0].toLowerCase(Locale.ROOT);
        Map<String, String> kv = new LinkedHashMap<>();
        java.util.List<String> pos = new java.util.ArrayList<>();
        for (int i = 1; i < t.length; i++) {
            int eq = t[i].indexOf('=');
            if (eq > 0) {
                if (kv.put(t[i].substring(0, eq), t[i].substring(eq + 1)) != null) {
                    throw bad(op + ": " + t[i].substring(0, eq) + "= given twice");
                }
            } else {
                pos.add(t[i]);
            }
        }
        Integer arity = ARITY.get(op); // mmap takes 2 or 3 and checks them itself
        if (arity != null && pos.size() != arity) {
            throw bad(op + " takes " + arity + " positional argument(s), got " + pos.size());
        }
        for (String k : kv.keySet()) {
            if (!KEYS.getOrDefault(op, java.util.Set.of()).contains(k)) {
                throw bad(op + " does not take " + k + "=");
            }
        }
        switch (op) {
            case "open" -> {
                IoctlResult r = dev.open();
                print(op, r.ok() ? FD : -1, r.errno(), "");
            }
            case "close" -> ioctl(op, dev.close(), "");
            case "set_owner" -> ioctl(op, dev.setOwner(), "");
            case "get_features" -> value(op, dev.getFeatures(), "features", true);
            case "set_features" -> ioctl(op, dev.setFeatures(args.num(pos, 0, "features", ScriptArgs.Field.U64)), "");
            case "get_backend_features" -> value(op, dev.getBackendFeatures(), "features", true);
            case "set_backend_features" -> ioctl(op, dev.setBackendFeatures(args.num(pos, 0, "features", ScriptArgs.Field.U64)), "");
            case "get_device_id" -> value(op, dev.getDeviceId(), "device_id", false);
            case "get_vring_num" -> value(op, dev.getVringNum(), "num", false);
            case "get_config_size" -> value(op, dev.getConfigSize(), "size", false);
            case "get_vqs_count" -> value(op, dev.getVqsCount(), "count", false);
            case "get_as_num" -> value(op, dev.getAsNum(), "num", false);
            case "get_group_num" -> value(op, dev.getGroupNum(), "num", false);
            case "get_iova_range" -> {
                IoctlResult r = dev.getIovaRange();
                AddrRange range = dev.iovaRange();
                print(op, r.rc(), r.errno(), r.ok() ? " first=" + U64.hex(range.start()) + " last=" + U64.hex(range.last())
                        : "");
            }
            // struct vhost_vring_state {unsigned int index; unsigned int num}: both u32.
            case "get_vring_group" -> value(op, dev.getVringGroup(args.u32(pos, 0, "index")), "group", false);
            case "get_vring_desc_group" -> value(op, dev.getVringDescGroup(args.u32(pos, 0, "index")), "group", false);
            case "set_group_asid" -> ioctl(op, dev.setGroupAsid(args.u32(pos, 0, "group"), args.u32(pos, 1, "asid")), "");
            case "get_status" -> value(op, dev.getStatus(), "status", true);
            case "set_status" -> ioctl(op, dev.setStatus((int) args.num(pos, 0, "status", ScriptArgs.Field.U8)), ""); // a u8
            case "set_vring_num" -> ioctl(op, dev.setVringNum(args.u32(pos, 0, "index"), args.u32(pos, 1, "num")), "");
            case "set_vring_base" -> ioctl(op, dev.setVringBase(args.u32(pos, 0, "index"), args.u32(pos, 1, "num")), "");
            case "get_vring_base" -> value(op, dev.getVringBase(args.u32(pos, 0, "index")), "num", false);
            case "set_vring_addr" -> {
                // struct vhost_vring_addr: u32 index, u64 addresses.
                ioctl(op, dev.setVringAddr(args.u32(pos, 0, "index"), Iova.of(args.key(kv, "desc")), Iova.of(args.key(kv, "avail")),
                        Iova.of(args.key(kv, "used"))), "");
            }
            case "set_vring_enable" -> ioctl(op, dev.setVringEnable(args.u32(pos, 0, "index"), args.u32(pos, 1, "num")), "");
            // struct vhost_vring_file {unsigned int index; int fd}: eventfds are not modelled, the index is.
            case "set_vring_kick" -> ioctl(op, dev.setVringKick(args.u32(pos, 0, "index")), "");
            case "set_vring_call" -> ioctl(op, dev.setVringCall(args.u32(pos, 0, "index")), "");
            // read(2) of one message: always EINVAL (vhost_vdpa_fops has no read_iter).
            case "read" -> ioctl(op, dev.read(VhostMsgV2.SIZE), "");
            // poll(2) of the one fd: rc is the number of fds with events (no poll op: DEFAULT_POLLMASK).
            case "poll" -> {
                int revents = dev.poll();
                print(op, revents != 0 ? 1 : 0, Errno.OK, " revents=" + U64.hex(revents));
            }
            case "suspend" -> ioctl(op, dev.suspend(), "");
            case "resume" -> ioctl(op, dev.resume(), "");
            case "mmap" -> mmap(pos);
            case "setrlimit_memlock" -> {
                args.need(op, pos, 1);
                mm.setMemlockLimitBytes(args.num(pos, 0, "bytes", ScriptArgs.Field.U64)); // rlim_t; 2^64-1 is RLIM_INFINITY
                print(op, 0, Errno.OK, "");
            }
            case "update" -> {
                // struct vhost_msg_v2: u32 asid; vhost_iotlb_msg: u64 iova, size, uaddr; u8 perm.
                int asid = args.asid(kv);
                long iova = args.key(kv, "iova");
                long size = args.key(kv, "size");
                long uaddr = uaddr(kv.get("uaddr"));
                write(op, VhostMsgV2.update(asid, Iova.of(iova), size, Hva.of(uaddr), args.perm(kv.get("perm"))).encode());
            }
            case "invalidate" ->
                    write(op, VhostMsgV2.invalidate(args.asid(kv), Iova.of(args.key(kv, "iova")), args.key(kv, "size")).encode());
            case "batch_begin" -> write(op, VhostMsgV2.batchBegin(args.asid(kv)).encode());
            case "batch_end" -> write(op, VhostMsgV2.batchEnd(args.asid(kv)).encode());
            case "write_hex" -> {
                args.need(op, pos, 1);
                byte[] bytes;
                try {
                    bytes = HexFormat.of().parseHex(pos.get(0));
                } catch (IllegalArgumentException e) {
                    throw bad("write_hex needs an even number of hex digits, got '" + pos.get(0) + "'");
                }
                write(op, bytes);
            }
            case "pinned" -> print(op, 0, Errno.OK, " pinned_pages=" + mm.pinnedPages() + " vmpin_kb="
                    + mm.pinnedPages() * 4);
            case "translate" -> translate(op, args.asid(kv), args.key(kv, "iova"));
            default -> throw bad("unknown operation '" + t[0] + "'");
        }
    }

    private void print(String op, long rc, Errno e, String extra) {
        out.println("STEP " + line + " " + op + " rc=" + rc + " errno=" + e.symbol() + extra
                + (vmPinEveryStep && !extra.contains(" vmpin_kb=") ? " vmpin_kb=" + mm.pinnedPages() * 4 : ""));
    }

    private void ioctl(String op, IoctlResult r, String extra) {
        print(op, r.rc(), r.errno(), extra);
    }

    private void value(String op, IoctlResult r, String key, boolean hex) {
        print(op, r.rc(), r.errno(), r.ok() ? " " + key + "=" + (hex ? U64.hex(r.value()) : Long.toString(r.value()))
                : "");
    }

    private void write(String op, byte[] bytes) {
        WriteResult r = dev.write(bytes);
        String why = r.ok() ? "" : " inner=" + r.innerErrno().symbol() + " reason=" + r.failure();
        print(op, r.rc(), r.errno(), why);
    }

    private void translate(String op, int asid, long iova) {
        DmaTranslation t = dev.parent().translation(asid);
        DmaEntry e = t == null ? null : t.find(Iova.of(iova));
        if (e == null || e.identity()) {
            print(op, 0, Errno.OK, " result=fault" + (e != null ? " (1:1 map: not guest memory)" : ""));
            return;
        }
        long hva = e.translate(iova);
        RamBlock b = mm.blockAt(hva);
        print(op, 0, Errno.OK, " addr=" + U64.hex(hva) + " perm=" + args.permName(e.perm())
                + (b == null ? "" : " in=" + b.name() + "+" + U64.hex(hva - b.base().value())));
    }

    private void mmap(java.util.List<String> pos) {
        if (pos.size() < 2 || pos.size() > 3) {
            throw bad("mmap takes NAME SIZE [shared|private], got " + pos.size() + " argument(s)");
        }
        String name = pos.get(0);
        long size = args.num(pos, 1, "size", ScriptArgs.Field.U64); // size_t length
        String kind = pos.size() > 2 ? pos.get(2) : "private";
        if (!kind.equals("shared") && !kind.equals("private")) {
            throw bad("mmap kind '" + kind + "' is not shared or private");
        }
        if (mmaps.containsKey(name)) {
            throw bad("mmap name '" + name + "' is already used");
        }
        // do_mmap: a zero length is EINVAL; a length whose page rounding wraps, or for which there is
        // no free area, is ENOMEM.
        if (size == 0) {
            print("mmap", -1, Errno.EINVAL, "");
            return;
        }
        if (!mm.hasRoomFor(size)) {
            print("mmap", -1, Errno.ENOMEM, "");
            return;
        }
        // Physically contiguous runs: shmem pages are 4 KiB; private anonymous memory is backed by
        // 2 MiB transparent huge pages.
        RamBlock b = mm.map(name, size, kind.equals("shared") ? 4096 : 2L << 20);
        mmaps.put(name, b);
        print("mmap", 0, Errno.OK, " addr=" + U64.hex(b.base().value()) + " size=" + U64.hex(size));
    }

    private long uaddr(String v) {
        if (v == null) {
            throw bad("update needs uaddr=NAME[+OFF] or uaddr=ADDRESS");
        }
        String name = v;
        long off = 0;
        int plus = v.indexOf('+');
        if (plus > 0) {
            name = v.substring(0, plus);
            off = args.parse(v.substring(plus + 1), "uaddr offset", ScriptArgs.Field.U64);
        }
        RamBlock b = mmaps.get(name);
        if (b != null) {
            if (U64.addOverflows(b.base().value(), off)) {
                throw bad("uaddr=" + v + ": " + U64.hex(b.base().value()) + " + " + U64.hex(off)
                        + " does not fit the u64 uaddr field");
            }
            return b.base().value() + off;
        }
        if (plus > 0) {
            throw bad("no mmap named '" + name + "'");
        }
        return args.parse(v, "uaddr=", ScriptArgs.Field.U64);
    }

}
