package org.toyvm.vm.machine;

import io.netty.buffer.ByteBufAllocator;
import java.util.function.LongSupplier;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.MemoryRegion;
import org.toyvm.memory.MemoryRegionOps;
import org.toyvm.memory.MemorySystem;
import org.toyvm.net.device.VirtioMmioLayout;
import org.toyvm.net.device.VirtioNetDevice;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.VhostVdpaNet;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.Mlx5Options;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.parent.VdpaParents;
import org.toyvm.vm.stack.NicAddressing;

/**
 * One vDPA NIC of the machine, {@code -netdev vhost-vdpa,vhostdev=/dev/vhost-vdpa-N} with its
 * {@code -device virtio-net}: the simulated NIC, its own parent instance and kernel counters, its own
 * {@code /dev/vhost-vdpa-N} (own IOTLB and pins), its own vhost-vdpa frontend (own memory listener on
 * the one system memory) and its own virtio-net device on a virtio-mmio window with a doorbell page.
 *
 * <p>Shared with the other slots, as in one QEMU process: the host address space (one {@code mm}, so
 * one RLIMIT_MEMLOCK and one {@code mm->pinned_vm} that every device's pins count against), the cost
 * meter (QEMU's main loop runs every device's ioctls one after another), the scheduler and the memory
 * system (each listener sees the same flat view).
 *
 * <p>Slot N's registers sit at {@link #mmioBase(int)} = 0xfeb00000 + N × {@link #STRIDE} and its doorbell
 * page one window above (see the map in {@link Machine}).
 */
public final class NetSlot {
    /** Bytes between two slots' windows: the virtio-mmio registers, then the doorbell page. */
    public static final long STRIDE = 2L * VirtioMmioLayout.WINDOW_SIZE;

    private final int index;
    private final VirtioNetNic nic;
    private final KernelCounters counters = new KernelCounters();
    private final VdpaParent parent;
    private final VhostVdpaDevice vhostDevice;
    private final MapFailureLog mapFailures;
    private final IoctlMilestones ioctls;
    private final VhostVdpaNet frontend;
    private final VirtioNetDevice virtioNet;

    /** The guest-physical address of slot {@code index}'s virtio-mmio registers. */
    public static long mmioBase(int index) {
        return Machine.VIRTIO_MMIO_BASE + index * STRIDE;
    }

    /** The guest-physical address of slot {@code index}'s doorbell page. */
    public static long doorbellBase(int index) {
        return mmioBase(index) + VirtioMmioLayout.WINDOW_SIZE;
    }

    /**
     * Builds slot {@code index} and places its window and doorbell in {@code hole} (the pci hole at 3G),
     * inside the caller's memory transaction. The frontend opens its device at once (QEMU's
     * net_init_vhost_vdpa), in slot order.
     */
    NetSlot(int index, MachineConfig config, SimScheduler scheduler, HostAddressSpace mm, CostMeter meter,
            MemorySystem memory, AddressSpace systemMemory, MemoryRegion hole, RamBlock doorbell, WirePort port,
            IotlbTraceSink trace, ByteBufAllocator alloc) {
        this.index = index;
        this.nic = new VirtioNetNic(scheduler, mm, NicAddressing.macOf(config.mac(), index).value(), alloc,
                config.net().queuePairs());
        // The NIC starts when a command reaches it: after the cost charged before it in the vCPU exit
        // that issued it (the guest's Vcpu brackets each exit on the meter).
        nic.setCausality(meter);
        this.parent = VdpaParents.create(config.parent(), config.mlx5().orElse(Mlx5Options.of(config.kernel())), nic,
                config.kernel(), meter, counters);
        this.vhostDevice = new VhostVdpaDevice(deviceName(index), config.kernel(), parent, mm, meter, counters);
        nic.dma().setFaultListener((asid, iova, perm, permission) -> vhostDevice.postIotlbFault(asid, iova, perm,
                permission));
        nic.attach(port);
        this.mapFailures = new MapFailureLog(vhostDevice, mm, trace);
        // The frontend's clock is causal: a message or ioctl issued inside an operation is stamped when it
        // takes hold (the scheduler's time plus what the operation has charged before it).
        LongSupplier causalNow = () -> Durations.addSaturating(scheduler.now(), meter.lagNanos());
        this.ioctls = new IoctlMilestones(causalNow);
        this.frontend = new VhostVdpaNet(vhostDevice, systemMemory, config.qemu(), config.policy(), config.techniques(),
                mapFailures, ioctls, causalNow);
        // The device's call eventfd goes to the frontend: QEMU's irqfd to the guest, or a shadow
        // virtqueue's own eventfd while the queue is shadowed (the frontend routes it).
        nic.setCallHandler(frontend::deviceCall);
        this.virtioNet = new VirtioNetDevice(frontend);
        long holeBase = Machine.BELOW_4G_MAX;
        String suffix = index == 0 ? "" : Integer.toString(index);
        hole.addSubregion(mmioBase(index) - holeBase, memory.io("virtio-mmio" + suffix, VirtioMmioLayout.WINDOW_SIZE,
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
        // of a queue index kicks that queue without a VMM exit — while the data queues are passthrough.
        // With shadow virtqueues QEMU does not map the device's notify area (vhost_vdpa_host_notifiers_init
        // is skipped when shadow_vqs_enabled, and the switch's stop uninits it): the guest's write lands
        // on the transport's own notify register and traps, virtio_queue_notify → the SVQ's kick.
        hole.addSubregion(doorbellBase(index) - holeBase, memory.ramDevice("virtio-net" + suffix + ".notify",
                doorbell, 0x1000, new MemoryRegionOps() {
                    @Override
                    public long read(long offset, int size) {
                        return 0;
                    }

                    @Override
                    public void write(long offset, long value, int size) {
                        if (frontend.shadowsData()) {
                            virtioNet.write(VirtioMmioLayout.QUEUE_NOTIFY, value, size); // checked there
                        } else {
                            nic.doorbell(value, size); // a 32-bit queue index, checked by the NIC
                        }
                    }
                }));
    }

    /** "/dev/vhost-vdpa-N" without the directory: the name the kernel model and the reports use. */
    public static String deviceName(int index) {
        return "vhost-vdpa-" + index;
    }

    public int index() {
        return index;
    }

    public String name() {
        return vhostDevice.name();
    }

    public long mmioBase() {
        return mmioBase(index);
    }

    public long doorbellBase() {
        return doorbellBase(index);
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

    /** This device's kernel counters (its pins, its IOTLB messages). */
    public KernelCounters kernelCounters() {
        return counters;
    }

    /** When this device's frontend last issued each kind of ioctl (causal time). */
    public IoctlMilestones ioctls() {
        return ioctls;
    }

    /** The IOTLB UPDATEs of this device that the kernel refused. */
    public MapFailureLog mapFailures() {
        return mapFailures;
    }

    /** Powers the slot off: the frontend unregisters and closes the device, which returns every pin. */
    void close() {
        frontend.close();
        nic.reset();
    }
}
