package org.toyvm.vm.guest;

import static org.toyvm.net.device.VirtioMmioLayout.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.memory.AddressSpace;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.NetStack;
import org.toyvm.vm.stack.Packets;

/**
 * The toy guest: a virtio-net driver that probes as Linux does (status 0, 1, 3, features, 11,
 * queues, 15), posts RX buffers and recycles them, transmits, and runs a small ARP/ICMP stack that
 * answers the peer and pings it.
 *
 * <p>Its vCPU is one sequential thread of work on the machine's scheduler. A register write is a VMM
 * exit handled synchronously (under the equivalent of QEMU's big lock): the modelled cost the VMM
 * and the kernel charge while handling it is time the vCPU stays frozen — nothing else the guest does
 * (interrupts, pings, replies) runs before that time has passed. Doorbell writes go to the device's
 * notify page directly and cost nothing.
 *
 * <pre>
 *  GPA 0x100000 RX ring (256)   0x110000 TX ring (256)
 *  GPA 0x200000 RX buffers 256 × 2 KiB   0x300000 TX buffers 256 × 2 KiB
 * </pre>
 */
public final class ToyGuest {
    private static final Logger LOG = LogManager.getLogger(ToyGuest.class);
    public static final int QSIZE = 256;
    public static final long RX_RING = 0x10_0000;
    public static final long TX_RING = 0x11_0000;
    public static final long RX_BUFS = 0x20_0000;
    public static final long TX_BUFS = 0x30_0000;
    public static final int BUF_SIZE = 2048;
    private static final int PING_ID = 0x7467;
    static final long WANTED_FEATURES = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MAC) | VirtioFeatures.bit(VirtioFeatures.NET_F_STATUS)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MTU);

    private final Machine machine;
    private final SimScheduler sched;
    private final AddressSpace as;
    private final NetStack stack;
    private final Ipv4Address peerIp;
    private final long pingIntervalNs;
    private final long bootNs;
    private final GuestEvents events;
    private final ByteBufAllocator alloc;

    private long busyUntil;
    private boolean up;
    private int bootGeneration;
    private int pingSeq;
    private RamBlock ram;
    private long rxRing;
    private long txRing;
    private int rxAvail;
    private int rxUsedSeen;
    private int txAvail;
    private int txUsedSeen;
    private final ArrayDeque<Integer> freeTx = new ArrayDeque<>();
    private long txDropped;
    private long rxFrames;

    public ToyGuest(Machine machine, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp, long pingIntervalNs,
            long bootNs, GuestEvents events, ByteBufAllocator alloc) {
        this.machine = machine;
        this.sched = machine.scheduler();
        this.as = machine.systemMemory();
        this.peerIp = peerIp;
        this.pingIntervalNs = pingIntervalNs;
        this.bootNs = bootNs;
        this.events = events;
        this.alloc = alloc;
        this.stack = new NetStack(mac, ip, alloc, this::xmit, new NetStack.Events() {
            @Override
            public void echoRequestAnswered(Packets.Echo request) {
                events.echoRequestAnswered(request, sched.now());
            }

            @Override
            public void echoReplyReceived(Packets.Echo reply) {
                if (reply.id() == PING_ID) {
                    events.guestPingReplied(reply.seq(), sched.now());
                }
            }
        });
        machine.nic().setCallHandler(this::interrupt);
    }

    public boolean up() {
        return up;
    }

    public long txDropped() {
        return txDropped;
    }

    public long rxFrames() {
        return rxFrames;
    }

    /** Time until which the vCPU is stalled in the VMM. */
    public long busyUntil() {
        return busyUntil;
    }

    /** Runs {@code step} on the vCPU: not before the vCPU is free again. */
    private void vcpu(Runnable step) {
        long at = Math.max(sched.now(), busyUntil);
        sched.schedule(step, at - sched.now());
    }

    private void mmioWrite(int reg, long value) {
        long before = machine.meter().total();
        as.writeValue(Machine.VIRTIO_MMIO_BASE + reg, value, 4);
        long cost = machine.meter().total() - before;
        // Saturates: a modelled cost near the top of the clock freezes the vCPU "for ever", it never
        // wraps to a time in the past.
        busyUntil = Durations.addSaturating(Math.max(busyUntil, sched.now()), cost);
        if (cost > 0) {
            events.vcpuFrozen(cost);
        }
    }

    private long mmioRead(int reg) {
        return as.readValue(Machine.VIRTIO_MMIO_BASE + reg, 4).value();
    }

    /** Stops the guest's own activity (its pinger and interrupt handling) at the end of a run. */
    public void shutdown() {
        up = false;
        bootGeneration++;
    }

    /** Powers on: probe at once (the first boot's firmware time is not part of any measurement). */
    public void powerOn() {
        vcpu(this::probe);
    }

    /** Reboot: the driver resets the device, the guest boots for the boot time, then probes again. */
    public void reboot() {
        vcpu(() -> {
            up = false;
            bootGeneration++;
            // The reset instant is this write reaching the device (handled synchronously, as a VMM exit).
            events.resetWritten(sched.now());
            mmioWrite(STATUS, 0);
            stack.clearArpCache();
            int gen = bootGeneration;
            sched.schedule(() -> {
                if (gen == bootGeneration) {
                    events.bootDone(sched.now());
                    vcpu(this::probe);
                }
            }, Durations.addSaturating(busyUntil - sched.now(), bootNs));
        });
    }

    private void fail(String why) {
        LOG.warn("guest: virtio-net probe failed: {}", why);
        events.probeFailed(sched.now(), why);
        mmioWrite(STATUS, VirtioStatus.FAILED);
    }

    /** Linux's virtio probe order. */
    private void probe() {
        if (mmioRead(MAGIC_VALUE) != MAGIC || mmioRead(DEVICE_ID) != 1) {
            fail("no virtio-net device at " + Long.toHexString(Machine.VIRTIO_MMIO_BASE));
            return;
        }
        mmioWrite(STATUS, 0);
        mmioWrite(STATUS, VirtioStatus.ACKNOWLEDGE);
        mmioWrite(STATUS, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER);
        mmioWrite(DEVICE_FEATURES_SEL, 0);
        long offered = mmioRead(DEVICE_FEATURES);
        mmioWrite(DEVICE_FEATURES_SEL, 1);
        offered |= mmioRead(DEVICE_FEATURES) << 32;
        long features = offered & WANTED_FEATURES;
        mmioWrite(DRIVER_FEATURES_SEL, 0);
        mmioWrite(DRIVER_FEATURES, features & 0xffff_ffffL);
        mmioWrite(DRIVER_FEATURES_SEL, 1);
        mmioWrite(DRIVER_FEATURES, features >>> 32);
        mmioWrite(STATUS, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK);
        if ((mmioRead(STATUS) & VirtioStatus.FEATURES_OK) == 0) {
            fail("FEATURES_OK refused for features " + VirtioFeatures.describe(features));
            return;
        }
        AddressSpace.RamSlice rx = as.translate(RX_RING, 0x2_0000);
        AddressSpace.RamSlice bufs = as.translate(RX_BUFS, 2L * QSIZE * BUF_SIZE + 0x10_0000);
        if (rx == null || bufs == null) {
            fail("guest RAM does not hold the rings");
            return;
        }
        ram = rx.block();
        rxRing = rx.offset();
        txRing = rxRing + (TX_RING - RX_RING);
        ram.zero(rxRing, 0x2_0000);
        setupQueue(VirtioNet.rxQueue(0), RX_RING);
        setupQueue(VirtioNet.txQueue(0), TX_RING);
        rxAvail = 0;
        rxUsedSeen = 0;
        txAvail = 0;
        txUsedSeen = 0;
        freeTx.clear();
        for (int i = 0; i < QSIZE; i++) {
            freeTx.add(i);
        }
        long t = sched.now();
        mmioWrite(STATUS, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK);
        long status = mmioRead(STATUS);
        if ((status & VirtioStatus.NEEDS_RESET) != 0 || (status & VirtioStatus.DRIVER_OK) == 0) {
            fail("device refused DRIVER_OK (status " + VirtioStatus.describe((int) status) + ")");
            return;
        }
        events.driverOk(t, busyUntil);
        int gen = bootGeneration;
        vcpu(() -> {
            if (gen == bootGeneration) {
                bringUp();
            }
        });
    }

    private void setupQueue(int q, long ringGpa) {
        long desc = ringGpa;
        long avail = desc + SplitRing.descTableSize(QSIZE);
        long used = (avail + SplitRing.availSize(QSIZE) + 3) & ~3L;
        mmioWrite(QUEUE_SEL, q);
        mmioWrite(QUEUE_NUM, QSIZE);
        mmioWrite(QUEUE_DESC_LOW, desc & 0xffff_ffffL);
        mmioWrite(QUEUE_DESC_HIGH, desc >>> 32);
        mmioWrite(QUEUE_DRIVER_LOW, avail & 0xffff_ffffL);
        mmioWrite(QUEUE_DRIVER_HIGH, avail >>> 32);
        mmioWrite(QUEUE_DEVICE_LOW, used & 0xffff_ffffL);
        mmioWrite(QUEUE_DEVICE_HIGH, used >>> 32);
        mmioWrite(QUEUE_READY, 1);
    }

    private static long availOff(long ring) {
        return ring + SplitRing.descTableSize(QSIZE);
    }

    private static long usedOff(long ring) {
        return (availOff(ring) + SplitRing.availSize(QSIZE) + 3) & ~3L;
    }

    /** virtnet_open: fill the RX ring, then start the interface and the pinger. */
    private void bringUp() {
        for (int i = 0; i < QSIZE; i++) {
            long d = rxRing + SplitRing.desc(i);
            ram.putU64(d + SplitRing.DESC_ADDR, RX_BUFS + (long) i * BUF_SIZE);
            ram.putU32(d + SplitRing.DESC_LEN, BUF_SIZE);
            ram.putU16(d + SplitRing.DESC_FLAGS, (short) SplitRing.DESC_F_WRITE);
            ram.putU16(availOff(rxRing) + SplitRing.availRing(i), (short) i);
        }
        rxAvail = QSIZE;
        ram.putU16Release(availOff(rxRing) + SplitRing.AVAIL_IDX, (short) rxAvail);
        up = true;
        doorbell(VirtioNet.rxQueue(0));
        int gen = bootGeneration;
        pingLoop(gen);
    }

    private void doorbell(int q) {
        as.writeValue(Machine.DOORBELL_BASE, q, 4);
    }

    private void pingLoop(int gen) {
        if (gen != bootGeneration || !up || pingIntervalNs <= 0) {
            return;
        }
        int seq = pingSeq = (pingSeq + 1) & 0xffff;
        events.guestPingSent(seq, sched.now());
        stack.ping(peerIp, PING_ID, seq);
        sched.schedule(() -> vcpu(() -> pingLoop(gen)), pingIntervalNs);
    }

    /** The device's used-buffer interrupt. */
    private void interrupt(int q) {
        int gen = bootGeneration;
        vcpu(() -> {
            if (gen != bootGeneration || !up) {
                return;
            }
            if (q == VirtioNet.rxQueue(0)) {
                receiveUsed();
            } else {
                reclaimTx();
            }
        });
    }

    private void receiveUsed() {
        long used = usedOff(rxRing);
        int usedIdx = ram.getU16Acquire(used + SplitRing.USED_IDX) & 0xffff;
        boolean reposted = false;
        while (rxUsedSeen != usedIdx) {
            long e = used + SplitRing.usedElem(rxUsedSeen % QSIZE);
            int id = ram.getU32(e + SplitRing.USED_ELEM_ID);
            int len = ram.getU32(e + SplitRing.USED_ELEM_LEN);
            rxUsedSeen = (rxUsedSeen + 1) & 0xffff;
            if (id < 0 || id >= QSIZE) {
                continue; // a device bug; the toy guest ignores the element
            }
            int frameLen = len - VirtioNet.HDR_V1_SIZE;
            if (frameLen > 0 && frameLen <= BUF_SIZE - VirtioNet.HDR_V1_SIZE) {
                ByteBuf f = alloc.buffer(frameLen);
                try {
                    ram.readTo(RX_BUFS + (long) id * BUF_SIZE + VirtioNet.HDR_V1_SIZE, f, frameLen);
                    rxFrames++;
                    stack.receive(f);
                } finally {
                    f.release();
                }
            }
            ram.putU16(availOff(rxRing) + SplitRing.availRing(rxAvail % QSIZE), (short) id);
            rxAvail = (rxAvail + 1) & 0xffff;
            reposted = true;
        }
        if (reposted) {
            ram.putU16Release(availOff(rxRing) + SplitRing.AVAIL_IDX, (short) rxAvail);
            doorbell(VirtioNet.rxQueue(0));
        }
    }

    private void reclaimTx() {
        long used = usedOff(txRing);
        int usedIdx = ram.getU16Acquire(used + SplitRing.USED_IDX) & 0xffff;
        while (txUsedSeen != usedIdx) {
            int id = ram.getU32(used + SplitRing.usedElem(txUsedSeen % QSIZE) + SplitRing.USED_ELEM_ID);
            txUsedSeen = (txUsedSeen + 1) & 0xffff;
            if (id >= 0 && id < QSIZE) {
                freeTx.add(id);
            }
        }
    }

    /** start_xmit: one descriptor per frame (header + frame in one buffer). Takes {@code frame}. */
    private void xmit(ByteBuf frame) {
        try {
            if (!up) {
                txDropped++;
                return;
            }
            reclaimTx();
            Integer id = freeTx.poll();
            int len = frame.readableBytes();
            if (id == null || len > BUF_SIZE - VirtioNet.HDR_V1_SIZE) {
                txDropped++;
                return;
            }
            long buf = TX_BUFS + (long) id * BUF_SIZE;
            ram.zero(buf, VirtioNet.HDR_V1_SIZE);
            ram.writeFrom(buf + VirtioNet.HDR_V1_SIZE, frame, len);
            long d = txRing + SplitRing.desc(id);
            ram.putU64(d + SplitRing.DESC_ADDR, buf);
            ram.putU32(d + SplitRing.DESC_LEN, VirtioNet.HDR_V1_SIZE + len);
            ram.putU16(d + SplitRing.DESC_FLAGS, (short) 0);
            ram.putU16(availOff(txRing) + SplitRing.availRing(txAvail % QSIZE), (short) (int) id);
            txAvail = (txAvail + 1) & 0xffff;
            ram.putU16Release(availOff(txRing) + SplitRing.AVAIL_IDX, (short) txAvail);
            doorbell(VirtioNet.txQueue(0));
        } finally {
            frame.release();
        }
    }
}
