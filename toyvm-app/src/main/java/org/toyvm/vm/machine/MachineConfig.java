package org.toyvm.vm.machine;


import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.MemoryBackend;
import org.toyvm.core.units.Sizes;
import org.toyvm.net.vhost.MigrationTechniques;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.bus.Mlx5Options;
import org.toyvm.vm.stack.MacAddress;

/**
 * What the machine is made of; {@code qemu} is the QEMU release its vhost-vdpa frontend follows.
 * {@code memoryBackend} is what backs guest RAM ({@code --memory-backend}); empty maps it as the model
 * always has: one physically contiguous run that VA mode maps (see {@link Machine}). {@code net} is how
 * many vDPA NICs, of how many queue pairs, under which RLIMIT_MEMLOCK.
 */
public record MachineConfig(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy,
        CostProfile costs, MacAddress mac, QemuVersion qemu, Optional<MemoryBackend> memoryBackend,
        NetTopology net, MigrationTechniques techniques, Optional<Mlx5Options> mlx5) {
    /** A machine without any migration technique, whose mlx5 MKEY code is its kernel's. */
    public MachineConfig(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy,
            CostProfile costs, MacAddress mac, QemuVersion qemu, Optional<MemoryBackend> memoryBackend,
            NetTopology net) {
        this(memoryBytes, kernel, parent, policy, costs, mac, qemu, memoryBackend, net, MigrationTechniques.NONE,
                Optional.empty());
    }

    /** The same machine with the techniques of Si-Wei Liu's migration series its QEMU runs. */
    public MachineConfig withTechniques(MigrationTechniques t) {
        return new MachineConfig(memoryBytes, kernel, parent, policy, costs, mac, qemu, memoryBackend, net, t, mlx5);
    }

    /** The same machine whose mlx5 parent runs the MKEY code {@code mkey} (empty: its kernel's). */
    public MachineConfig withMlx5(Optional<Mlx5Options> mkey) {
        return new MachineConfig(memoryBytes, kernel, parent, policy, costs, mac, qemu, memoryBackend, net, techniques,
                mkey);
    }

    /** A machine with one NIC of one queue pair ({@link NetTopology#SINGLE}). */
    public MachineConfig(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy,
            CostProfile costs, MacAddress mac, QemuVersion qemu, Optional<MemoryBackend> memoryBackend) {
        this(memoryBytes, kernel, parent, policy, costs, mac, qemu, memoryBackend, NetTopology.SINGLE);
    }

    /** A machine whose guest RAM is mapped without a backend (one contiguous run, as before backends). */
    public MachineConfig(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy,
            CostProfile costs, MacAddress mac, QemuVersion qemu) {
        this(memoryBytes, kernel, parent, policy, costs, mac, qemu, Optional.empty());
    }

    /** A machine on the newest QEMU ({@link QemuVersion#newest()}). */
    public MachineConfig(long memoryBytes, KernelVersion kernel, ParentSpec parent, ResetPolicy policy,
            CostProfile costs, MacAddress mac) {
        this(memoryBytes, kernel, parent, policy, costs, mac, QemuVersion.newest());
    }

    /** The guest needs room for its rings and buffers below 64 MiB. */
    public static final long MIN_MEMORY = 64L << 20;

    /**
     * The vCPU's physical address width: 52 bits, x86-64's architectural maximum (MAXPHYADDR), as
     * {@code -cpu host,host-phys-bits=on} gives on a host with 5-level paging. A smaller width only
     * refuses more; this one keeps every guest the model can simulate and still refuses sizes no x86
     * machine can address (such as 64P).
     */
    public static final int PHYS_BITS = 52;

    /** The largest guest RAM whose top address fits the physical address width (RAM ends at mem + 1G). */
    public static final long MAX_MEMORY = (1L << PHYS_BITS) - (Machine.FOUR_G - Machine.BELOW_4G_MAX);

    public MachineConfig {
        Objects.requireNonNull(memoryBackend, "memoryBackend");
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(techniques, "techniques");
        Objects.requireNonNull(mlx5, "mlx5");
        checkMemory(memoryBytes);
    }

    /** A machine whose parent is as its module ships ({@link ParentSpec#shipped}). */
    public MachineConfig(long memoryBytes, KernelVersion kernel, ParentKind parent, ResetPolicy policy,
            CostProfile costs, MacAddress mac) {
        this(memoryBytes, kernel, ParentSpec.shipped(parent), policy, costs, mac);
    }

    /**
     * The sizes the pc-like machine accepts: at least {@link #MIN_MEMORY}, whole 4 KiB pages, and a top
     * of RAM inside the physical address width. QEMU's pc_memory_init (hw/i386/pc.c) refuses the last
     * case the same way: "Address space limit 0x… < 0x… phys-bits too low (N)" and exits.
     *
     * @throws IllegalArgumentException naming the size and the accepted range
     */
    public static void checkMemory(long memoryBytes) {
        String range = Sizes.format(MIN_MEMORY) + ".." + Sizes.format(MAX_MEMORY);
        if (memoryBytes < MIN_MEMORY) {
            throw new IllegalArgumentException("guest memory " + Sizes.format(memoryBytes) + " is below the minimum: "
                    + "accepted " + range);
        }
        if ((memoryBytes & 0xfff) != 0) {
            throw new IllegalArgumentException("guest memory " + memoryBytes + " is not a whole number of 4K pages");
        }
        if (memoryBytes > MAX_MEMORY) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "guest memory %s does not fit the pc"
                    + " machine's %d-bit physical address space (RAM would end at 0x%x, the limit is 0x%x): accepted %s",
                    Sizes.format(memoryBytes), PHYS_BITS, Machine.ramTop(memoryBytes), (1L << PHYS_BITS) - 1, range));
        }
    }
}
