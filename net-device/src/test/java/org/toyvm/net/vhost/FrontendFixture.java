package org.toyvm.net.vhost;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.MemoryRegion;
import org.toyvm.memory.MemorySystem;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.parent.VdpaParents;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * A VMM process with 64 MiB of guest RAM at GPA 0, the simulated NIC under a parent of the given kernel,
 * and the vhost-vdpa frontend of the given QEMU release and policy on top, with every ioctl and IOTLB
 * message it issues recorded in order. {@link #start()}, {@link #reset()} drive it as the guest's status
 * writes would (DRIVER_OK, status 0).
 */
final class FrontendFixture implements AutoCloseable {
    static final long RAM = 64L << 20;

    /** One ioctl as the frontend issued it. */
    record Ioctl(String name, String arg, String result, String by) {
        @Override
        public String toString() {
            return name + (arg.isEmpty() ? "" : "(" + arg + ")") + (result.equals("ok") ? "" : "=" + result);
        }
    }

    final VirtualScheduler s = new VirtualScheduler();
    final HostAddressSpace mm = new HostAddressSpace();
    final KernelCounters kernel = new KernelCounters();
    final VirtioNetNic nic;
    final VhostVdpaDevice dev;
    final List<Ioctl> ioctls = new ArrayList<>();
    final List<String> iotlb = new ArrayList<>();
    /** ioctls and IOTLB messages in one order: "SET_STATUS(...)", "UPDATE asid 1 iova 0x1000 size 0x1000". */
    final List<String> events = new ArrayList<>();
    final VhostVdpaNet fe;
    final RamBlock ram;
    final AddressSpace as;

    FrontendFixture(QemuVersion qemu, KernelVersion k, ParentKind parentKind, ResetPolicy policy) {
        this(qemu, k, parentKind, policy, MigrationTechniques.NONE);
    }

    /** As above with {@code hw} in place of the NIC (null: the NIC). */
    FrontendFixture(QemuVersion qemu, KernelVersion k, ParentKind parentKind, ResetPolicy policy,
            org.toyvm.hw.api.VirtioNetHardware hw) {
        this(qemu, k, parentKind, policy, hw, new CostMeter(CostProfile.zero()));
    }

    FrontendFixture(QemuVersion qemu, KernelVersion k, ParentKind parentKind, ResetPolicy policy,
            org.toyvm.hw.api.VirtioNetHardware hw, CostMeter meter) {
        this(qemu, k, parentKind, policy, MigrationTechniques.NONE, hw, meter);
    }

    /** With Si-Wei Liu's migration techniques on top of {@code qemu}. */
    FrontendFixture(QemuVersion qemu, KernelVersion k, ParentKind parentKind, ResetPolicy policy,
            MigrationTechniques techniques) {
        this(qemu, k, parentKind, policy, techniques, null, new CostMeter(CostProfile.zero()));
    }

    FrontendFixture(QemuVersion qemu, KernelVersion k, ParentKind parentKind, ResetPolicy policy,
            MigrationTechniques techniques, org.toyvm.hw.api.VirtioNetHardware hw, CostMeter meter) {
        nic = new VirtioNetNic(s, mm, 0x525400123456L, UnpooledByteBufAllocator.DEFAULT);
        VdpaParent parent = VdpaParents.create(parentKind, hw == null ? nic : hw, k, meter, kernel);
        dev = new VhostVdpaDevice("vhost-vdpa-0", k, parent, mm, meter, kernel);
        ram = mm.map("pc.ram", RAM);
        MemorySystem memory = new MemorySystem();
        MemoryRegion root = memory.container("system", U64.MAX);
        as = memory.addressSpace("memory", root);
        root.addSubregion(0, memory.ram("pc.ram", ram, 0, RAM));
        fe = new VhostVdpaNet(dev, as, qemu, policy, techniques, (t, m, r) -> {
            iotlb.add(m.typeName() + (r.equals("ok") ? "" : "=" + r));
            events.add(m.typeName() + " asid " + m.asid() + " iova 0x" + Long.toHexString(m.iova().value()) + " size 0x"
                    + Long.toHexString(m.size()) + (r.equals("ok") ? "" : "=" + r));
        }, (n, a, r, by) -> {
            Ioctl i = new Ioctl(n, a, r, by);
            ioctls.add(i);
            events.add(i.toString());
        }, s::now);
    }

    /** The guest's DRIVER_OK with rx and tx (queues 0 and 1) in RAM: the frontend's start. */
    void start() {
        List<QueueConfig> qs = List.of(queue(0, 0x10000), queue(1, 0x20000));
        String err = fe.start(fe.deviceFeatures(), qs);
        if (err != null) {
            throw new AssertionError("start failed: " + err);
        }
    }

    private static QueueConfig queue(int index, long base) {
        return new QueueConfig(index, 256, Gpa.of(base), Gpa.of(base + 0x1000), Gpa.of(base + 0x2000), true);
    }

    /** The guest's status-0 write: virtio_reset. */
    void reset() {
        fe.reset();
    }

    /** Forget what was recorded so far (the next step's trace alone). */
    void mark() {
        ioctls.clear();
        iotlb.clear();
        events.clear();
    }

    /** The names of the recorded ioctls (with their argument where it tells the step: SET_STATUS(0)). */
    List<String> trace() {
        return ioctls.stream().map(Ioctl::toString).toList();
    }

    long count(String ioctl) {
        return ioctls.stream().filter(i -> i.name().equals(ioctl)).count();
    }

    long countIotlb(String type) {
        return iotlb.stream().filter(t -> t.equals(type)).count();
    }

    long pinned() {
        return kernel.get(KernelEvent.PAGES_PINNED) - kernel.get(KernelEvent.PAGES_UNPINNED);
    }

    long pinnedEver() {
        return kernel.get(KernelEvent.PAGES_PINNED);
    }

    boolean persistOffered() {
        return (fe.offeredBackendFeatures() & VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST)) != 0;
    }

    @Override
    public void close() {
        fe.close();
        nic.reset();
    }
}
