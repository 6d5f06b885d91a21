package org.toyvm.fuzz;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
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
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.kernel.IoctlResult;
import org.toyvm.vdpa.kernel.IotlbFailure;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.kernel.WriteResult;
import org.toyvm.vdpa.parent.VdpaParents;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * IOTLB message streams and ioctl sequences against the kernel model, for every parent × kernel:
 * a fresh process (64 MiB of private memory on 2 MiB runs, 1 MiB of shared memory on 4 KiB runs)
 * opens and owns /dev/vhost-vdpa-0, then writes messages (well-formed ones aimed at its memory,
 * with edge-value fields, and raw bytes) and issues ioctls in random order.
 *
 * <p>Oracles: nothing escapes; every ioctl answers (0, OK) or (-1, errno ≠ OK), every write 72 and
 * OK or -1 with the errno the failure table documents (EINVAL for a short write, a bad envelope, a
 * zero-size UPDATE, a closed fd; EFAULT for every handler error, whose inner errno matches its
 * reason); the process's pin count always equals its blocks' ledgers; every address the hardware
 * can reach through the parent lands on a pinned page; after release no pin is left and the
 * hardware reaches no guest memory.
 */
final class KernelSurface implements Surface<KernelSurface.Step> {
    private static final long RAM = 64L << 20;
    private static final long SHM = 1L << 20;

    sealed interface Step permits Setup, Msg, Raw, Ioctl {
    }

    record Setup(KernelVersion kernel, ParentSpec parent, long memlock) implements Step {
        @Override
        public String toString() {
            return "setup kernel=" + kernel + " parent=" + parent + " memlock=0x" + Long.toHexString(memlock);
        }
    }

    /**
     * A vhost_msg_v2 written whole; {@code block} 0/1 makes uaddr an offset into the private/shared
     * mapping, 2 takes it raw.
     */
    record Msg(int envelope, int asid, int type, long iova, long size, int block, long uaddr, int perm) implements Step {
        @Override
        public String toString() {
            return "write type=" + envelope + " asid=" + Integer.toUnsignedString(asid) + " " + VhostUapi.iotlbTypeName(type)
                    + " iova=0x" + Long.toHexString(iova) + " size=0x" + Long.toHexString(size) + " uaddr="
                    + (block == 0 ? "ram+" : block == 1 ? "shm+" : "") + "0x" + Long.toHexString(uaddr) + " perm=" + perm;
        }
    }

    /** A write of {@code len} bytes of which the first {@code bytes.length} are given (the rest of the buffer is zero). */
    record Raw(byte[] bytes, int len) implements Step {
        @Override
        public String toString() {
            return "write_raw len=" + len + " hex=" + java.util.HexFormat.of().formatHex(bytes);
        }
    }

    enum Op { OPEN, CLOSE, SET_OWNER, SET_FEATURES, SET_BACKEND_FEATURES, SET_STATUS, SET_VRING_NUM, SET_VRING_ADDR,
        SET_VRING_BASE, GET_VRING_BASE, SET_VRING_ENABLE, SET_GROUP_ASID, GET_VRING_GROUP, SUSPEND, RESUME, GET_CONFIG,
        SET_CONFIG, GETTERS, READ_MISS, SETRLIMIT }

    record Ioctl(Op op, long a, long b) implements Step {
        @Override
        public String toString() {
            return op.name().toLowerCase(java.util.Locale.ROOT) + " 0x" + Long.toHexString(a) + " 0x" + Long.toHexString(b);
        }
    }

    @Override
    public String name() {
        return "iotlb";
    }

    // ------------------------------------------------------------------ generation

    private static long pageish(Gen g, long within) {
        return switch (g.below(5)) {
            case 0 -> g.int64();
            case 1 -> within - 4096 * (long) g.below(4);
            default -> 4096L * g.below((int) (within / 4096));
        };
    }

    private static long size(Gen g) {
        return switch (g.below(6)) {
            case 0 -> g.int64();
            case 1 -> g.pick(new long[] {0, 1, 4095, 4096, 4097, 2L << 20, RAM, RAM + 4096, SHM});
            default -> 4096L * (1 + g.below(64));
        };
    }

    private static long backend(Gen g) {
        long f = 0;
        for (int b = 1; b <= 8; b++) {
            if (g.chance(50)) {
                f |= 1L << b;
            }
        }
        return g.chance(90) ? f : g.int64();
    }

    /** Each parent as shipped (vdpa-sim in VA mode from 6.3) and vdpa_sim's other modes. */
    private static final String[] PARENTS = {"platform", "mlx5", "vdpa-sim", "vdpa-sim,use_va=off",
        "vdpa-sim,use_va=off,batch_mapping=off"};

    @Override
    public List<Step> generate(Gen g) {
        List<Step> s = new ArrayList<>();
        s.add(new Setup(g.pick(KernelVersion.values()), ParentSpec.parse(g.pick(PARENTS)),
                g.chance(80) ? -1L : g.pick(new long[] {0, 4096, 64L << 10, 8L << 20, g.int64()})));
        if (g.chance(60)) {
            s.add(new Ioctl(Op.SET_BACKEND_FEATURES, backend(g), 0));
        }
        int n = 1 + g.below(20);
        for (int i = 0; i < n; i++) {
            int k = g.below(20);
            if (k < 9) {
                int type = g.chance(85) ? g.pick(new int[] {2, 2, 2, 3, 3, 5, 6}) : g.int32() & 0xff;
                int block = g.chance(90) ? g.below(2) : 2;
                long within = block == 0 ? RAM : SHM;
                s.add(new Msg(g.chance(90) ? 2 : g.int32(), g.chance(85) ? g.below(2) : g.int32(), type,
                        g.chance(70) ? 4096L * g.below(1 << 16) : g.int64(), size(g), block,
                        block == 2 ? g.int64() : pageish(g, within), g.chance(85) ? 1 + g.below(3) : g.int32() & 0xff));
            } else if (k < 11) {
                int len = g.chance(80) ? g.pick(new int[] {0, 1, 39, 40, 41, 71, 72, 73, 200}) : g.below(80);
                byte[] b = g.bytes(Math.min(len, 72));
                if (b.length >= 4 && g.chance(70)) {
                    b[0] = (byte) (g.chance(80) ? 2 : 1);
                    b[1] = b[2] = b[3] = 0;
                }
                s.add(new Raw(b, g.chance(95) ? len : len + g.below(8)));
            } else {
                Op op = g.pick(Op.values());
                s.add(new Ioctl(op, op == Op.SET_BACKEND_FEATURES ? backend(g) : g.chance(60) ? g.below(8) : g.int64(),
                        g.chance(60) ? g.pick(new long[] {0, 1, 256, 255, 0xffff, 0x10000}) : g.int64()));
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ execution

    /** The inner errno each handler failure may carry (IotlbFailure's documentation). */
    private static final Set<IotlbFailure> EINVAL_OUTSIDE = EnumSet.of(IotlbFailure.NONE, IotlbFailure.SHORT_WRITE,
            IotlbFailure.BAD_ENVELOPE, IotlbFailure.ZERO_SIZE);

    private static Errno documentedInner(IotlbFailure f) {
        return switch (f) {
            case NOT_OWNER -> Errno.EPERM;
            case OVERLAP -> Errno.EEXIST;
            case MEMLOCK, PARTIAL_PIN -> Errno.ENOMEM;
            case UNMAPPED_UADDR -> Errno.EFAULT;
            case PARENT -> null; // whatever the parent's op answered
            default -> Errno.EINVAL;
        };
    }

    static void checkIoctl(IoctlResult r, Object what) {
        OracleFailure.check(r != null, "ioctl-rc-errno-pair", () -> what + " answered null");
        boolean ok = r.rc() == 0 && r.errno() == Errno.OK || r.rc() == -1 && r.errno() != Errno.OK && r.value() == 0;
        OracleFailure.check(ok, "ioctl-rc-errno-pair", () -> what + " answered " + r);
    }

    static void checkWrite(WriteResult r, Object what) {
        boolean ok;
        if (r.rc() == 72) {
            ok = r.errno() == Errno.OK && r.innerErrno() == Errno.OK && r.failure() == IotlbFailure.NONE;
        } else if (r.rc() == -1 && r.errno() == Errno.EINVAL) {
            ok = EINVAL_OUTSIDE.contains(r.failure()) && r.innerErrno() == Errno.EINVAL;
        } else if (r.rc() == -1 && r.errno() == Errno.EFAULT) {
            Errno inner = documentedInner(r.failure());
            ok = !EINVAL_OUTSIDE.contains(r.failure()) && r.innerErrno() != Errno.OK
                    && (inner == null || inner == r.innerErrno());
        } else {
            ok = false;
        }
        OracleFailure.check(ok, "write-rc-errno-pair", () -> what + " answered " + r);
    }

    @Override
    public String run(List<Step> input) {
        Setup setup = !input.isEmpty() && input.get(0) instanceof Setup st ? st
                : new Setup(KernelVersion.V6_7, ParentSpec.shipped(ParentKind.MLX5), -1L);
        HostAddressSpace mm = new HostAddressSpace();
        RamBlock ram = mm.map("pc.ram", RAM, 2L << 20);
        RamBlock shm = mm.map("shm", SHM, 4096);
        mm.setMemlockLimitBytes(setup.memlock());
        CostMeter meter = new CostMeter(CostProfile.defaults());
        KernelCounters counters = new KernelCounters();
        VirtualScheduler sched = new VirtualScheduler();
        TrackingAllocator alloc = new TrackingAllocator();
        VirtioNetNic nic = new VirtioNetNic(sched, mm, 0x525400123456L, alloc);
        VdpaParent parent = VdpaParents.create(setup.parent(), nic, setup.kernel(), meter, counters);
        VhostVdpaDevice dev = new VhostVdpaDevice("vhost-vdpa-0", setup.kernel(), parent, mm, meter, counters);
        nic.dma().setFaultListener(dev::postIotlbFault);
        checkIoctl(dev.open(), "open");
        checkIoctl(dev.setOwner(), "set_owner");
        List<Long> probes = new ArrayList<>();
        // Inside an IOTLB batch a set_map parent keeps its old map until BATCH_END while the kernel has
        // already unpinned what was invalidated (vhost_vdpa_unmap: set_map only when !in_batch), as in
        // Linux: the reach check waits for the batch to end.
        boolean batch = false;
        StringBuilder outcome = new StringBuilder(setup.kernel() + "/" + setup.parent());
        for (Step st : input) {
            if (st instanceof Msg m) {
                long uaddr = m.block() == 0 ? ram.base().value() + m.uaddr()
                        : m.block() == 1 ? shm.base().value() + m.uaddr() : m.uaddr();
                VhostMsgV2 msg = new VhostMsgV2(m.envelope(), m.asid(), Iova.of(m.iova()), m.size(), Hva.of(uaddr),
                        m.perm(), m.type());
                WriteResult r = dev.write(msg.encode());
                checkWrite(r, st);
                outcome.append(' ').append(r.ok() ? "ok" : r.failure().ordinal());
                batch = r.ok() ? m.type() == VhostUapi.VHOST_IOTLB_BATCH_BEGIN || batch && m.type() != VhostUapi.VHOST_IOTLB_BATCH_END : batch;
                probes.add(m.iova());
                probes.add(m.iova() + m.size() - 1);
            } else if (st instanceof Raw raw) {
                WriteResult r = dev.write(raw.bytes(), raw.len());
                checkWrite(r, st);
                int type = raw.bytes().length > VhostMsgV2.OFF_IOTLB_TYPE ? raw.bytes()[VhostMsgV2.OFF_IOTLB_TYPE] : 0;
                batch = r.ok() ? type == VhostUapi.VHOST_IOTLB_BATCH_BEGIN || batch && type != VhostUapi.VHOST_IOTLB_BATCH_END : batch;
                outcome.append(' ').append(r.ok() ? "ok" : r.failure().ordinal());
            } else if (st instanceof Ioctl io) {
                String errno = ioctl(dev, mm, io);
                outcome.append(' ').append(errno);
                batch = batch && !(io.op() == Op.CLOSE && errno.equals("OK")); // release leaves the batch
            }
            sched.runUntil(Long.MAX_VALUE, () -> sched.pendingTasks() == 0 || sched.executedTasks() > 100_000);
            checkPins(mm, ram, shm, st);
            if (!batch || !(parent.mappingStyle() instanceof MappingStyle.SetMap)) {
                checkReach(parent, mm, probes, st);
            }
        }
        if (dev.isOpen()) {
            checkIoctl(dev.close(), "close");
        }
        OracleFailure.check(mm.pinnedPages() == 0, "pins-after-release",
                () -> mm.pinnedPages() + " pages still pinned after close (" + ram.pins() + ", " + shm.pins() + ")");
        checkPins(mm, ram, shm, "close");
        for (int asid = 0; asid < 2; asid++) {
            var table = dev.iotlb(asid);
            int a = asid;
            OracleFailure.check(table == null || table.isEmpty(), "iotlb-after-release",
                    () -> "asid " + a + " still has " + table.size() + " entries after close");
        }
        checkReach(parent, mm, probes, "close");
        nic.reset();
        alloc.checkAllReleased("nic-buffers-after-release");
        if (!sched.failures().isEmpty()) {
            Throwable t = sched.failures().get(0);
            throw t instanceof RuntimeException re ? re : new RuntimeException(t);
        }
        return outcome.toString();
    }

    private static String ioctl(VhostVdpaDevice dev, HostAddressSpace mm, Ioctl io) {
        int a = (int) io.a();
        int b = (int) io.b();
        IoctlResult r = switch (io.op()) {
            case OPEN -> dev.open();
            case CLOSE -> dev.close();
            case SET_OWNER -> dev.setOwner();
            case SET_FEATURES -> dev.setFeatures(io.a());
            case SET_BACKEND_FEATURES -> dev.setBackendFeatures(io.a());
            case SET_STATUS -> dev.setStatus(a);
            case SET_VRING_NUM -> dev.setVringNum(a, b);
            case SET_VRING_ADDR -> dev.setVringAddr(a, Iova.of(io.b()), Iova.of(io.b() + 0x1000),
                    Iova.of(io.b() + 0x2000));
            case SET_VRING_BASE -> dev.setVringBase(a, b);
            case GET_VRING_BASE -> dev.getVringBase(a);
            case SET_VRING_ENABLE -> dev.setVringEnable(a, b != 0);
            case SET_GROUP_ASID -> dev.setGroupAsid(a, b);
            case GET_VRING_GROUP -> dev.getVringGroup(a);
            case SUSPEND -> dev.suspend();
            case RESUME -> dev.resume();
            case GET_CONFIG -> dev.getConfig(a, new byte[Math.floorMod(b, 64)]);
            case SET_CONFIG -> dev.setConfig(a, new byte[Math.floorMod(b, 64)]);
            case GETTERS -> {
                for (IoctlResult g : new IoctlResult[] {dev.getFeatures(), dev.getBackendFeatures(), dev.getDeviceId(),
                    dev.getStatus(), dev.getVringNum(), dev.getIovaRange(), dev.getConfigSize(), dev.getVqsCount(),
                    dev.getAsNum(), dev.getGroupNum()}) {
                    checkIoctl(g, io);
                }
                yield IoctlResult.OK;
            }
            case READ_MISS -> {
                // vhost-vdpa has no read path (no read_iter): read(2) is EINVAL whatever the device faulted.
                IoctlResult read = dev.read(VhostMsgV2.SIZE);
                OracleFailure.check(read.errno() == Errno.EINVAL, "read-is-einval", () -> "read answered " + read);
                yield read;
            }
            case SETRLIMIT -> {
                mm.setMemlockLimitBytes(io.a());
                yield IoctlResult.OK;
            }
        };
        checkIoctl(r, io);
        return r.errno().name();
    }

    /** The process's VmPin equals what the blocks' ledgers hold. */
    private static void checkPins(HostAddressSpace mm, RamBlock ram, RamBlock shm, Object after) {
        long ledgers = ram.pins().pinnedPages() + shm.pins().pinnedPages();
        OracleFailure.check(mm.pinnedPages() == ledgers, "pin-accounting",
                () -> "VmPin " + mm.pinnedPages() + " != ledgers " + ledgers + " after " + after);
    }

    /**
     * Every IOVA the hardware can reach through the parent lands on a pinned page of the process (PA
     * mode). In VA mode there is nothing to check here: vhost_vdpa_va_map pins nothing and maps user
     * addresses as given — from {@code find_vma(uaddr)}, the first VMA ending above uaddr, so a range
     * starting in a gap maps the gap too, as the kernel does; an access there faults in the device's
     * copy from user memory, not in the table.
     */
    private static void checkReach(VdpaParent parent, HostAddressSpace mm, List<Long> probes, Object after) {
        if (parent.usesVa()) {
            return;
        }
        for (int asid = 0; asid < parent.numAddressSpaces(); asid++) {
            DmaTranslation t = parent.translation(asid);
            if (t == null) {
                continue;
            }
            for (long iova : probes) {
                DmaEntry e = t.find(Iova.of(iova));
                if (e == null || e.identity()) {
                    continue;
                }
                long hva = e.translate(iova);
                RamBlock b = mm.blockAt(hva);
                int a = asid;
                OracleFailure.check(b != null && b.pins().countAt(hva - b.base().value()) > 0, "dma-reaches-unpinned-memory",
                        () -> "asid " + a + " iova 0x" + Long.toHexString(iova) + " -> hva 0x" + Long.toHexString(hva)
                                + " (perm " + e.perm() + ") is not a pinned page, after " + after);
            }
        }
    }
}
