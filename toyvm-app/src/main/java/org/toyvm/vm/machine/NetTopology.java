package org.toyvm.vm.machine;

import java.util.Locale;
import java.util.OptionalLong;
import org.toyvm.core.units.Sizes;

/**
 * The VM's vDPA networking as QEMU is told it: {@code nics} virtio-net devices, each on its own
 * {@code -netdev vhost-vdpa,vhostdev=/dev/vhost-vdpa-N,queues=2×queuePairs} ({@code --nics}), each with
 * {@code queuePairs} data queue pairs ({@code --queues}), and the process's RLIMIT_MEMLOCK
 * ({@code --memlock}; empty: what libvirt would set, {@link #memlockLimit(long)}).
 */
public record NetTopology(int nics, int queuePairs, OptionalLong memlockBytes) {
    /** One NIC with one queue pair and libvirt's memlock: the model before multiqueue and several NICs. */
    public static final NetTopology SINGLE = new NetTopology(1, 1, OptionalLong.empty());

    /** VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX is 0x8000; the toy guest and its peer stop at 16 pairs per NIC. */
    public static final int MAX_QUEUE_PAIRS = 16;
    /** The model's limit on vDPA NICs per VM (the published figures use 2–4). */
    public static final int MAX_NICS = 8;

    private static final long GIB = 1L << 30;

    public NetTopology {
        if (nics < 1 || nics > MAX_NICS) {
            throw new IllegalArgumentException("bad --nics " + nics + ": out of range 1.." + MAX_NICS);
        }
        if (queuePairs < 1 || queuePairs > MAX_QUEUE_PAIRS) {
            throw new IllegalArgumentException("bad --queues " + queuePairs + ": out of range 1.." + MAX_QUEUE_PAIRS);
        }
        if (memlockBytes.isPresent() && memlockBytes.getAsLong() < 0) {
            throw new IllegalArgumentException("bad --memlock " + memlockBytes.getAsLong() + ": negative");
        }
    }

    public NetTopology withQueuePairs(int n) {
        return new NetTopology(nics, n, memlockBytes);
    }

    public NetTopology withNics(int n) {
        return new NetTopology(n, queuePairs, memlockBytes);
    }

    public NetTopology withMemlock(long bytes) {
        return new NetTopology(nics, queuePairs, OptionalLong.of(bytes));
    }

    /**
     * RLIMIT_MEMLOCK of the QEMU process: {@code --memlock} when given, else libvirt's rule for a guest
     * with vDPA devices, 1 GiB + RAM × the number of vDPA NICs (each device may pin all of guest RAM in
     * its own IOTLB), saturating at 2^63−1.
     *
     * <p>libvirt's {@code qemuDomainGetMemLockLimitBytes} (src/qemu/qemu_domain.c, read at a 2025
     * snapshot with iommufd support): a {@code <memtune><hard_limit>} wins (here: {@code --memlock}),
     * {@code <memoryBacking><locked/>} means unlimited; otherwise on x86 with {@code nvfio}, {@code nnvme}
     * or {@code nvdpa} devices, {@code factor = nvdpa + nnvme} (+ {@code nvfio} with a vIOMMU, else + 1
     * for any VFIO) and the limit is {@code factor × virDomainDefGetMemoryTotal + 1024 × 1024} KiB, i.e.
     * 1 GiB + RAM × factor; {@code qemuDomainGetNumVDPADevices} counts vdpa interfaces (and vhost-vdpa
     * disks). The toy VM has vDPA NICs only, so factor = {@code nics}. qemuDomainSetMaxMemLock then only
     * raises the limit (an already higher one is kept). Earlier libvirt (the per-device factor came with
     * 8.7.0, commit 8d5704e2c4, as cited in kubevirt/kubevirt#17805) counted guest RAM once whatever the
     * number of devices; that older rule is not modelled: give it with {@code --memlock}.
     */
    public long memlockLimit(long ramBytes) {
        if (memlockBytes.isPresent()) {
            return memlockBytes.getAsLong();
        }
        long perNics = Long.MAX_VALUE / nics < ramBytes ? Long.MAX_VALUE : ramBytes * nics;
        return perNics > Long.MAX_VALUE - GIB ? Long.MAX_VALUE : perNics + GIB;
    }

    /** "2 NICs × 8 queue pairs, memlock 257G" — for reports. */
    public String describe(long ramBytes) {
        return String.format(Locale.ROOT, "%d NIC%s × %d queue pair%s, memlock %s%s", nics, nics == 1 ? "" : "s",
                queuePairs, queuePairs == 1 ? "" : "s", Sizes.format(memlockLimit(ramBytes)),
                memlockBytes.isPresent() ? "" : " (libvirt's 1G + RAM × NICs)");
    }
}
