package org.toyvm.vm.machine;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.MemoryRegion;
import org.toyvm.memory.MemoryRegionOps;
import org.toyvm.memory.MemorySystem;
import org.toyvm.net.device.VirtioMmioLayout;
import org.toyvm.net.device.VirtioNetDevice;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.IoctlTraceSink;
import org.toyvm.net.vhost.VhostVdpaNet;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.parent.PlatformIommuParent;
import org.toyvm.vdpa.parent.VdpaParents;

/**
 * The toy VM: a pc-like memory map over one sparse RAM block, the simulated kernel with its vDPA
 * parent and NIC, and the VMM's virtio-net device with its vhost-vdpa frontend.
 *
 * <pre>
 *  0                      3G                         4G-256K   4G                       4G + (mem-3G)
 *  |-- ram-below-4g ------|-- pci-hole (MMIO) -------|-- bios --|-- ram-above-4g --------|
 *   alias of pc.ram @0     virtio-mmio @0xfeb00000    ROM        alias of pc.ram @3G
 *                          doorbell page @0xfeb01000 (ram_device: the NIC's notify area)
 * </pre>
 * The vhost-vdpa listener maps the two RAM aliases and the BIOS ROM (read-only); it skips the MMIO
 * registers and the doorbell page.
 */
public final class Machine implements AutoCloseable {
    public static final long BELOW_4G_MAX = 3L << 30;
    public static final long FOUR_G = 1L << 32;
    public static final long BIOS_SIZE = 256L << 10;
    public static final long VIRTIO_MMIO_BASE = 0xfeb0_0000L;
    public static final long DOORBELL_BASE = VIRTIO_MMIO_BASE + VirtioMmioLayout.WINDOW_SIZE;

    /** The guest-physical ranges of RAM in the pc-like memory map: below 4G, then the rest above 4G. */
    public static List<AddrRange> ramRanges(long memoryBytes) {
        long below = Math.min(memoryBytes, BELOW_4G_MAX);
        List<AddrRange> r = new ArrayList<>();
        r.add(new AddrRange(0, below - 1));
        if (memoryBytes > below) {
            r.add(new AddrRange(FOUR_G, ramTop(memoryBytes)));
        }
        return r;
    }

    /** The last guest-physical address of RAM (unsigned; valid for any size up to 2^63). */
    public static long ramTop(long memoryBytes) {
        return memoryBytes <= BELOW_4G_MAX ? memoryBytes - 1 : FOUR_G + (memoryBytes - BELOW_4G_MAX) - 1;
    }

    /**
     * The IOVA range the vhost-vdpa device of a parent kind reports (VHOST_VDPA_GET_IOVA_RANGE), known
     * before a machine exists: the platform parent has no get_iova_range, so vhost-vdpa falls back to
     * its IOMMU domain's aperture (48-bit); the others cover the whole 64-bit space. The same answer
     * as {@link VhostVdpaDevice#iovaRange()} on a built machine (a test holds the two together).
     */
    public static AddrRange iovaRange(ParentKind parent) {
        return switch (parent) {
            case PLATFORM -> PlatformIommuParent.APERTURE;
            case MLX5, VDPA_SIM -> AddrRange.ALL;
        };
    }

    private final MachineConfig config;
    private final SimScheduler scheduler;
    private final HostAddressSpace mm = new HostAddressSpace();
    private final CostMeter meter;
    private final KernelCounters kernelCounters = new KernelCounters();
    private final MemorySystem memory = new MemorySystem();
    private final AddressSpace systemMemory;
    private final RamBlock ram;
    private final VirtioNetNic nic;
    private final VdpaParent parent;
    private final VhostVdpaDevice vhostDevice;
    private final VhostVdpaNet frontend;
    private final VirtioNetDevice virtioNet;

    public Machine(MachineConfig config, SimScheduler scheduler, WirePort port, IotlbTraceSink trace) {
        this(config, scheduler, port, trace, PooledByteBufAllocator.DEFAULT);
    }

    public Machine(MachineConfig config, SimScheduler scheduler, WirePort port, IotlbTraceSink trace,
            ByteBufAllocator alloc) {
        this.config = config;
        this.scheduler = scheduler;
        this.meter = new CostMeter(config.costs());
        // With a backend, its pages are the contiguous runs and its sharing decides VA mode; without,
        // the model's original guest RAM: one contiguous run, mapped in VA mode (a memfd-like block).
        this.ram = config.memoryBackend().map(b -> mm.map("pc.ram", config.memoryBytes(), b))
                .orElseGet(() -> mm.map("pc.ram", config.memoryBytes()));
        RamBlock bios = mm.map("pc.bios", BIOS_SIZE);
        RamBlock doorbell = mm.map("virtio-net.notify", 0x1000);

        // The kernel and the hardware.
        this.nic = new VirtioNetNic(scheduler, mm, config.mac().value(), alloc, config.net().queuePairs());
        // The NIC starts when a command reaches it: after the cost charged before it in the vCPU exit
        // that issued it (the guest's Vcpu brackets each exit on the meter).
        nic.setCausality(meter);
        this.parent = VdpaParents.create(config.parent(), nic, config.kernel(), meter, kernelCounters);
        this.vhostDevice = new VhostVdpaDevice("vhost-vdpa-0", config.kernel(), parent, mm, meter, kernelCounters);
        nic.dma().setFaultListener((asid, iova, perm, permission) -> vhostDevice.postIotlbFault(asid, iova, perm,
                permission));
        nic.attach(port);

        // The memory map.
        MemoryRegion root = memory.container("system", U64.MAX);
        this.systemMemory = memory.addressSpace("memory", root);
        MemoryRegion pcRam = memory.ram("pc.ram", ram, 0, config.memoryBytes());
        long below = Math.min(config.memoryBytes(), BELOW_4G_MAX);
        memory.transactionBegin();
        try {
            root.addSubregion(0, memory.alias("ram-below-4g", pcRam, 0, below));
            if (config.memoryBytes() > below) {
                root.addSubregion(FOUR_G, memory.alias("ram-above-4g", pcRam, below, config.memoryBytes() - below));
            }
            MemoryRegion hole = memory.container("pci-hole", FOUR_G - BIOS_SIZE - BELOW_4G_MAX);
            root.addSubregion(BELOW_4G_MAX, hole);
            root.addSubregion(FOUR_G - BIOS_SIZE, memory.rom("pc.bios", bios, 0, BIOS_SIZE));
            this.frontend = new VhostVdpaNet(vhostDevice, systemMemory, config.qemu(), config.policy(), trace,
                    IoctlTraceSink.NONE, scheduler::now);
            this.virtioNet = new VirtioNetDevice(frontend);
            hole.addSubregion(VIRTIO_MMIO_BASE - BELOW_4G_MAX, memory.io("virtio-mmio", VirtioMmioLayout.WINDOW_SIZE,
                    new MemoryRegionOps() {
                        @Override
                        public long read(long offset, int size) {
                            return virtioNet.read(offset, size);
                        }

                        @Override
                        public void write(long offset, long value, int size) {
                            virtioNet.write(offset, value, size);
                        }
                    }));
            // The doorbell page: the NIC's notify area mapped into the guest (a host notifier). A write
            // of a queue index kicks that queue without a VMM exit.
            hole.addSubregion(DOORBELL_BASE - BELOW_4G_MAX, memory.ramDevice("virtio-net.notify", doorbell, 0x1000,
                    new MemoryRegionOps() {
                        @Override
                        public long read(long offset, int size) {
                            return 0;
                        }

                        @Override
                        public void write(long offset, long value, int size) {
                            nic.doorbell(value, size); // a 32-bit queue index, checked by the NIC
                        }
                    }));
        } finally {
            memory.transactionCommit();
        }
    }

    public MachineConfig config() {
        return config;
    }

    public SimScheduler scheduler() {
        return scheduler;
    }

    public AddressSpace systemMemory() {
        return systemMemory;
    }

    /** Guest RAM by guest physical address, resolved through the system memory's current view. */
    public GuestRam guestRam() {
        return systemMemory;
    }

    public HostAddressSpace hostMemory() {
        return mm;
    }

    public RamBlock ram() {
        return ram;
    }

    public CostMeter meter() {
        return meter;
    }

    public KernelCounters kernelCounters() {
        return kernelCounters;
    }

    public VirtioNetNic nic() {
        return nic;
    }

    public VdpaParent parent() {
        return parent;
    }

    public VhostVdpaDevice vhostDevice() {
        return vhostDevice;
    }

    public VhostVdpaNet frontend() {
        return frontend;
    }

    public VirtioNetDevice virtioNet() {
        return virtioNet;
    }

    /** Powers the machine off: the frontend unregisters and closes the device, which returns every pin. */
    @Override
    public void close() {
        frontend.close();
        nic.reset();
    }
}
