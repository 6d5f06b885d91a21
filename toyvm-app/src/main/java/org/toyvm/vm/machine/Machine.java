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
import org.toyvm.memory.MemorySystem;
import org.toyvm.net.device.VirtioMmioLayout;
import org.toyvm.net.device.VirtioNetDevice;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.VhostVdpaNet;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.parent.PlatformIommuParent;

/**
 * The toy VM: a pc-like memory map over one sparse RAM block, and per vDPA NIC ({@link NetSlot}) the
 * simulated kernel side (NIC, parent, /dev/vhost-vdpa-N) and the VMM's virtio-net device with its
 * vhost-vdpa frontend. Every NIC shares the one process: its {@code mm} (RLIMIT_MEMLOCK and the pinned
 * count), the cost meter, the scheduler and the memory system.
 *
 * <pre>
 *  0                      3G                         4G-256K   4G                       4G + (mem-3G)
 *  |-- ram-below-4g ------|-- pci-hole (MMIO) -------|-- bios --|-- ram-above-4g --------|
 *   alias of pc.ram @0     NIC n (stride 0x2000):      ROM        alias of pc.ram @3G
 *                          virtio-mmio @0xfeb00000 + n*0x2000
 *                          doorbell page @0xfeb01000 + n*0x2000 (ram_device: that NIC's notify area)
 * </pre>
 * Each NIC's vhost-vdpa listener maps the two RAM aliases and the BIOS ROM (read-only) into its own
 * device; it skips every MMIO window and doorbell page.
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
    private final MemorySystem memory = new MemorySystem();
    private final AddressSpace systemMemory;
    private final RamBlock ram;
    private final List<NetSlot> slots;

    /** A machine of one NIC on {@code port}. */
    public Machine(MachineConfig config, SimScheduler scheduler, WirePort port, IotlbTraceSink trace) {
        this(config, scheduler, port, trace, PooledByteBufAllocator.DEFAULT);
    }

    /** A machine of one NIC on {@code port} (several NICs take a port each: the constructor with a list). */
    public Machine(MachineConfig config, SimScheduler scheduler, WirePort port, IotlbTraceSink trace,
            ByteBufAllocator alloc) {
        this(config, scheduler, List.of(port), trace, alloc);
    }

    /**
     * A machine of {@code config.net().nics()} NICs, NIC n on {@code ports.get(n)}. The process's
     * RLIMIT_MEMLOCK is set before any device opens ({@link NetTopology#memlockLimit}).
     */
    public Machine(MachineConfig config, SimScheduler scheduler, List<WirePort> ports, IotlbTraceSink trace,
            ByteBufAllocator alloc) {
        int nics = config.net().nics();
        if (ports.size() != nics) {
            throw new IllegalArgumentException(nics + " NICs need " + nics + " wire ports, got " + ports.size());
        }
        this.config = config;
        this.scheduler = scheduler;
        this.meter = new CostMeter(config.costs());
        // libvirt sets the QEMU process's RLIMIT_MEMLOCK before QEMU starts (qemuProcessLaunch ->
        // qemuDomainAdjustMaxMemLock); every device's pins count against it.
        mm.setMemlockLimitBytes(config.net().memlockLimit(config.memoryBytes()));
        // With a backend, its pages are the contiguous runs and its sharing decides VA mode; without,
        // the model's original guest RAM: one contiguous run, mapped in VA mode (a memfd-like block).
        this.ram = config.memoryBackend().map(b -> mm.map("pc.ram", config.memoryBytes(), b))
                .orElseGet(() -> mm.map("pc.ram", config.memoryBytes()));
        RamBlock bios = mm.map("pc.bios", BIOS_SIZE);
        List<RamBlock> doorbells = new ArrayList<>();
        for (int n = 0; n < nics; n++) {
            doorbells.add(mm.map(n == 0 ? "virtio-net.notify" : "virtio-net" + n + ".notify", 0x1000));
        }

        // The memory map.
        MemoryRegion root = memory.container("system", U64.MAX);
        this.systemMemory = memory.addressSpace("memory", root);
        MemoryRegion pcRam = memory.ram("pc.ram", ram, 0, config.memoryBytes());
        long below = Math.min(config.memoryBytes(), BELOW_4G_MAX);
        List<NetSlot> built = new ArrayList<>();
        memory.transactionBegin();
        try {
            root.addSubregion(0, memory.alias("ram-below-4g", pcRam, 0, below));
            if (config.memoryBytes() > below) {
                root.addSubregion(FOUR_G, memory.alias("ram-above-4g", pcRam, below, config.memoryBytes() - below));
            }
            MemoryRegion hole = memory.container("pci-hole", FOUR_G - BIOS_SIZE - BELOW_4G_MAX);
            root.addSubregion(BELOW_4G_MAX, hole);
            root.addSubregion(FOUR_G - BIOS_SIZE, memory.rom("pc.bios", bios, 0, BIOS_SIZE));
            // The kernel and the hardware, then the VMM's devices, NIC by NIC (QEMU creates the netdevs
            // in command-line order, each opening its /dev/vhost-vdpa-N).
            for (int n = 0; n < nics; n++) {
                IotlbTraceSink sink = nics > 1 && trace instanceof PerDeviceTrace p
                        ? p.forDevice(NetSlot.deviceName(n)) : trace;
                built.add(new NetSlot(n, config, scheduler, mm, meter, memory, systemMemory, hole, doorbells.get(n),
                        ports.get(n), sink, alloc));
            }
        } finally {
            memory.transactionCommit();
        }
        this.slots = List.copyOf(built);
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

    /** NIC 0's kernel counters (each device counts its own: {@link NetSlot#kernelCounters()}). */
    public KernelCounters kernelCounters() {
        return slot(0).kernelCounters();
    }

    /** Every NIC, in order. */
    public List<NetSlot> nics() {
        return slots;
    }

    /** NIC {@code i}. */
    public NetSlot slot(int i) {
        return slots.get(i);
    }

    public VirtioNetNic nic() {
        return slot(0).nic();
    }

    public VdpaParent parent() {
        return slot(0).parent();
    }

    public VhostVdpaDevice vhostDevice() {
        return slot(0).vhostDevice();
    }

    public VhostVdpaNet frontend() {
        return slot(0).frontend();
    }

    public VirtioNetDevice virtioNet() {
        return slot(0).virtioNet();
    }

    /** Powers the machine off: each frontend unregisters and closes its device, which returns every pin. */
    @Override
    public void close() {
        for (NetSlot slot : slots) {
            slot.close();
        }
    }
}
