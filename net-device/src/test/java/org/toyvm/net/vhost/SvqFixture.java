package org.toyvm.net.vhost;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.hw.queue.DmaEngine;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.MemoryRegion;
import org.toyvm.memory.MemorySystem;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.kernel.FakeNetHardware;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.parent.VdpaParents;

/**
 * A shadowed data queue's world: a QEMU process with 16 MiB of guest RAM at GPA 0 (two RAM sections
 * of one block, split at {@link #SPLIT}; a ROM page at {@link #ROM}), an open /dev/vhost-vdpa-0 under
 * an mlx5 parent (6.12) over {@link FakeNetHardware} with features negotiated, the frontend's
 * {@link VhostVdpaOps} recording every ioctl and IOTLB message, the NIC's {@link IovaTree}, and guest
 * RAM mapped in ASID 0 the way the SVQ mode maps it: one IOVA range from the tree for the whole block
 * ({@link #shadowIova()} translates into it). The device side is virtio-hw's {@link DmaEngine} over the
 * parent's translations ({@link SvqDevice}).
 */
final class SvqFixture {
    static final long RAM = 16L << 20;
    static final long SPLIT = 8L << 20;
    static final long ROM = 32L << 20;
    static final int RX = 0;
    static final int TX = 1;

    final VirtualScheduler s = new VirtualScheduler();
    final HostAddressSpace mm = new HostAddressSpace();
    final KernelCounters kernel = new KernelCounters();
    /** The hardware double (null when the fixture runs the real NIC). */
    final FakeNetHardware hw;
    final VhostVdpaDevice dev;
    final RamBlock ram;
    final AddressSpace as;
    final VhostVdpaOps ops;
    final IovaTree tree;
    final Iova ramIova;
    final DmaEngine dma;
    /** ioctls and IOTLB messages in order: "SET_VRING_BASE(vq 0)", "UPDATE asid 0 iova 0x... size 0x... ro". */
    final List<String> events = new ArrayList<>();

    SvqFixture() {
        this((s, mm) -> new FakeNetHardware(1), ~0L);
    }

    /**
     * The same world over the hardware {@code hwOf} builds; the driver features acked are the device's
     * masked by {@code featureMask}.
     */
    SvqFixture(BiFunction<VirtualScheduler, HostAddressSpace, VirtioNetHardware> hwOf, long featureMask) {
        VirtioNetHardware nic = hwOf.apply(s, mm);
        hw = nic instanceof FakeNetHardware fake ? fake : null;
        CostMeter meter = new CostMeter(CostProfile.zero());
        dev = new VhostVdpaDevice("vhost-vdpa-0", KernelVersion.V6_12,
                VdpaParents.create(ParentKind.MLX5, nic, KernelVersion.V6_12, meter, kernel), mm, meter, kernel);
        ram = mm.map("pc.ram", RAM);
        RamBlock rom = mm.map("pc.rom", 0x10000);
        MemorySystem memory = new MemorySystem();
        MemoryRegion root = memory.container("system", U64.MAX);
        as = memory.addressSpace("memory", root);
        root.addSubregion(0, memory.ram("ram-below", ram, 0, SPLIT));
        root.addSubregion(SPLIT, memory.ram("ram-above", ram, SPLIT, RAM - SPLIT));
        root.addSubregion(ROM, memory.rom("rom", rom, 0, 0x10000));
        ops = new VhostVdpaOps(dev, as, QemuVersion.MASTER, ResetPolicy.LEGACY, new FrontendCounters(),
                (t, m, r) -> events.add(m.typeName() + " asid " + m.asid() + " iova 0x" + Long.toHexString(m.iova().value())
                        + " size 0x" + Long.toHexString(m.size()) + (m.perm() == 1 ? " ro" : "") + (r.equals("ok") ? "" : "=" + r)),
                (n, a, r, by) -> events.add(n + "(" + a + ")" + (r.equals("ok") ? "" : "=" + r)), s::now);
        ops.check(dev.open(), "open");
        ops.setBackendCap("test");
        ops.addStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER, "test");
        ops.setOwner();
        long features = dev.getFeatures().value() & featureMask;
        ops.check(dev.setFeatures(features), "SET_FEATURES");
        ops.addStatus(VirtioStatus.FEATURES_OK, "test");
        tree = new IovaTree(dev.iovaRange());
        ramIova = tree.alloc(RAM);
        if (!ops.dmaMap(0, ramIova, RAM, ram.base(), false)) {
            throw new AssertionError("guest RAM not mapped: " + dev.lastDetail());
        }
        dma = new DmaEngine(mm);
        if (hw != null) {
            dma.setTranslations(hw.translations);
        }
        events.clear();
    }

    /** GPA → IOVA inside the one mapping of guest RAM; null outside it. */
    GuestIova shadowIova() {
        return (gpa, len) -> {
            long g = gpa.value();
            if (len <= 0 || U64.ge(g, RAM) || U64.gt(len, RAM - g)) {
                return null;
            }
            return ramIova.plus(g);
        };
    }

    /** The guest's ring of {@code size} entries laid out contiguously at {@code base}. */
    DriverRing guestRing(int size, long base) {
        return DriverRing.contiguous(as, size, Gpa.of(base));
    }

    static QueueConfig queue(int index, DriverRing r) {
        return new QueueConfig(index, r.size(), r.layout().desc(), r.layout().avail(), r.layout().used(), true);
    }

    static long eventIdx() {
        return VirtioFeatures.bit(VirtioFeatures.RING_F_EVENT_IDX);
    }

    ShadowDataVq svq(int index) {
        return new ShadowDataVq(ops, as, tree, index);
    }

    long kicks(int vq) {
        return hw.calls.stream().filter(c -> c.equals("kick " + vq)).count();
    }
}
