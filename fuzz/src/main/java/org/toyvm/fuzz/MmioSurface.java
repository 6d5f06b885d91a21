package org.toyvm.fuzz;

import static org.toyvm.core.virtio.VirtioFeatures.*;
import static org.toyvm.core.virtio.VirtioStatus.*;
import static org.toyvm.net.device.VirtioMmioLayout.*;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.net.device.VirtioNetDevice;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
import org.toyvm.vm.stack.MacAddress;

/**
 * The virtio-mmio register file of the whole machine (the real vhost-vdpa frontend, kernel model,
 * parent and NIC behind it): random sequences of reads and writes at random offsets, widths and
 * values, biased to the registers and to edge values, often starting from a Linux-like probe
 * (status 1, 3, features, 11, queue setup, 15) with some values mutated, so that DRIVER_OK and
 * reset reach the backend.
 *
 * <p>Oracles: nothing escapes a read or write (nor fails on the scheduler or inside the NIC);
 * identity registers read their constants; a 32-bit read fits 32 bits; a started device has
 * DRIVER_OK; a reset (status 0) leaves status 0 and the device stopped; at power-off no page is
 * pinned and every Netty buffer is released.
 */
final class MmioSurface implements Surface<MmioSurface.Step> {
    private static final long RAM = 64L << 20;
    private static final int[] REGS = {MAGIC_VALUE, VERSION, DEVICE_ID, VENDOR_ID, DEVICE_FEATURES, DEVICE_FEATURES_SEL,
        DRIVER_FEATURES, DRIVER_FEATURES_SEL, QUEUE_SEL, QUEUE_NUM_MAX, QUEUE_NUM, QUEUE_READY, QUEUE_NOTIFY,
        INTERRUPT_STATUS, INTERRUPT_ACK, STATUS, QUEUE_DESC_LOW, QUEUE_DESC_HIGH, QUEUE_DRIVER_LOW, QUEUE_DRIVER_HIGH,
        QUEUE_DEVICE_LOW, QUEUE_DEVICE_HIGH, CONFIG_GENERATION, CONFIG, CONFIG + 6, CONFIG + 10};

    sealed interface Step permits Setup, Access {
    }

    record Setup(KernelVersion kernel, ParentKind parent, ResetPolicy policy) implements Step {
        @Override
        public String toString() {
            return "machine kernel=" + kernel + " parent=" + parent + " policy=" + policy;
        }
    }

    record Access(boolean write, long offset, int size, long value) implements Step {
        @Override
        public String toString() {
            return (write ? "write" : "read ") + " 0x" + Long.toHexString(offset) + " size=" + size
                    + (write ? " value=0x" + Long.toHexString(value) : "");
        }
    }

    @Override
    public String name() {
        return "mmio";
    }

    private static Access w(int reg, long v) {
        return new Access(true, reg, 4, v);
    }

    @Override
    public List<Step> generate(Gen g) {
        List<Step> s = new ArrayList<>();
        s.add(new Setup(g.pick(KernelVersion.values()), g.pick(ParentKind.values()), g.pick(ResetPolicy.values())));
        List<Access> probe = new ArrayList<>();
        if (g.chance(70)) {
            long features = bit(F_VERSION_1) | bit(F_ACCESS_PLATFORM) | bit(NET_F_MAC)
                    | (g.chance(50) ? bit(RING_F_INDIRECT_DESC) : 0) | (g.chance(30) ? bit(RING_F_EVENT_IDX) : 0);
            probe.add(w(STATUS, 0));
            probe.add(w(STATUS, ACKNOWLEDGE));
            probe.add(w(STATUS, ACKNOWLEDGE | DRIVER));
            probe.add(w(DRIVER_FEATURES_SEL, 0));
            probe.add(w(DRIVER_FEATURES, features & 0xffff_ffffL));
            probe.add(w(DRIVER_FEATURES_SEL, 1));
            probe.add(w(DRIVER_FEATURES, features >>> 32));
            probe.add(w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK));
            for (int q = 0; q < 2; q++) {
                probe.add(w(QUEUE_SEL, q));
                probe.add(new Access(false, QUEUE_NUM_MAX, 4, 0));
                probe.add(w(QUEUE_NUM, 256));
                probe.add(w(QUEUE_DESC_LOW, 0x10000 + q * 0x10000));
                probe.add(w(QUEUE_DESC_HIGH, 0));
                probe.add(w(QUEUE_DRIVER_LOW, 0x11000 + q * 0x10000));
                probe.add(w(QUEUE_DEVICE_LOW, 0x12000 + q * 0x10000));
                probe.add(w(QUEUE_READY, 1));
            }
            probe.add(w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK));
            for (Access a : probe) {
                s.add(g.chance(8) ? mutate(g, a) : a);
            }
        }
        int n = 1 + g.below(16);
        for (int i = 0; i < n; i++) {
            s.add(random(g));
        }
        return s;
    }

    private static Access mutate(Gen g, Access a) {
        return switch (g.below(3)) {
            case 0 -> new Access(a.write(), a.offset(), a.size(), g.int32() & 0xffff_ffffL);
            case 1 -> new Access(a.write(), g.pick(REGS), a.size(), a.value());
            default -> new Access(a.write(), a.offset(), g.pick(new int[] {0, 1, 2, 3, 8, -1}), a.value());
        };
    }

    private static Access random(Gen g) {
        long off = switch (g.below(10)) {
            case 0 -> g.int64();
            case 1, 2 -> g.below(0x200);
            default -> g.pick(REGS);
        };
        int size = g.chance(75) ? 4 : g.pick(new int[] {0, 1, 2, 3, 8, 16, -1, Integer.MIN_VALUE});
        long v = switch (g.below(4)) {
            case 0 -> g.pick(new long[] {0, 1, 3, 11, 15, 0x40, 0x80, 0xff, 256, 255});
            case 1 -> g.int64();
            default -> g.int32() & 0xffff_ffffL;
        };
        return new Access(g.chance(60), off, size, v);
    }

    @Override
    public String run(List<Step> input) {
        Setup setup = !input.isEmpty() && input.get(0) instanceof Setup st ? st
                : new Setup(KernelVersion.V6_7, ParentKind.MLX5, ResetPolicy.PERSIST);
        VirtualScheduler sched = new VirtualScheduler();
        InProcessWire wire = new InProcessWire(sched, 0);
        TrackingAllocator alloc = new TrackingAllocator();
        Machine m = new Machine(new MachineConfig(RAM, setup.kernel(), setup.parent(), setup.policy(), CostProfile.zero(),
                MacAddress.parse("52:54:00:12:34:56")), sched, wire.endA(), IotlbTraceSink.NONE, alloc);
        wire.endB().setReceiver(io.netty.util.ReferenceCountUtil::release);
        VirtioNetDevice dev = m.virtioNet();
        int reads = 0;
        try {
            for (Step st : input) {
                if (!(st instanceof Access a)) {
                    continue;
                }
                if (a.write()) {
                    dev.write(a.offset(), a.value(), a.size());
                    if (a.offset() == STATUS && a.size() == 4 && (int) a.value() == 0) {
                        OracleFailure.check(dev.status() == 0 && !dev.started(), "reset-stops-the-device",
                                () -> "status " + dev.status() + " started " + dev.started() + " after writing 0");
                    }
                } else {
                    long v = dev.read(a.offset(), a.size());
                    reads++;
                    if (a.size() == 4 && a.offset() < CONFIG) {
                        OracleFailure.check(v >= 0 && v <= 0xffff_ffffL, "read-fits-32-bits", () -> a + " read 0x" + Long.toHexString(v));
                        long expect = a.offset() == MAGIC_VALUE ? MAGIC : a.offset() == VERSION ? MMIO_VERSION
                                : a.offset() == DEVICE_ID ? 1 : -1;
                        OracleFailure.check(expect < 0 || v == expect, "identity-registers", () -> a + " read 0x" + Long.toHexString(v));
                    }
                }
                OracleFailure.check(!dev.started() || (dev.status() & DRIVER_OK) != 0,
                        "started-has-driver-ok", () -> "status 0x" + Integer.toHexString(dev.status()));
                long start = sched.executedTasks();
                sched.runUntil(sched.now() + 1_000_000, () -> sched.executedTasks() - start > 100_000);
                OracleFailure.check(sched.executedTasks() - start <= 100_000, "mmio-event-bound",
                        () -> "more than 100000 scheduler events after " + a);
                String why = m.nic().needsResetReason();
                OracleFailure.check(why == null || !why.startsWith("internal error"), "nic-internal-error", () -> why);
            }
        } finally {
            m.close();
            wire.endA().close();
            wire.endB().close();
        }
        if (!sched.failures().isEmpty()) {
            Throwable t = sched.failures().get(0);
            throw t instanceof RuntimeException re ? re : new RuntimeException(t);
        }
        OracleFailure.check(m.hostMemory().pinnedPages() == 0, "pins-after-power-off",
                () -> m.hostMemory().pinnedPages() + " pages pinned after power-off");
        alloc.checkAllReleased("nic-buffers-after-power-off");
        return "status=" + Integer.toHexString(dev.status()) + " started=" + dev.started() + " reads=" + Math.min(reads, 1)
                + (dev.lastStartError() == null ? "" : " start-error");
    }
}
