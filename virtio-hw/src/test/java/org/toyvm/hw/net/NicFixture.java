package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.queue.PageTable;
import org.toyvm.netdev.CountingAllocator;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.WirePort;

/**
 * A NIC over 1 MiB of guest RAM at GPA 0 mapped 1:1 by IOVA (through a page table the test can
 * change), driven through the one driver-side ring ({@link DriverRing}), and the far end of an
 * in-process wire. GPA, IOVA and RAM block offset coincide here, so tests may poke ring fields raw.
 */
final class NicFixture implements AutoCloseable {
    static final long RAM = 1 << 20;
    final VirtualScheduler sched = new VirtualScheduler();
    final HostAddressSpace mm = new HostAddressSpace();
    final RamBlock ram = mm.map("guest", RAM);
    final GuestRam guest = GuestRam.at(ram, Gpa.of(0));
    /** One entry per 4 KiB page, so that a test can unmap or re-permission a single page. */
    final PageTable map = PageTable.pages(RAM, 4096, ram.base().value());
    /** Every Netty buffer the NIC and the test allocate; all must be released by {@link #close()}. */
    final CountingAllocator alloc = new CountingAllocator();
    static final long MAC = 0x525400123456L;
    final VirtioNetNic nic;
    final InProcessWire wire = new InProcessWire(sched, 0);
    final WirePort far = wire.endB();
    final List<byte[]> received = new ArrayList<>();
    final List<Integer> calls = new ArrayList<>();

    NicFixture() {
        this(VirtioNetNic.DEVICE_FEATURES);
    }

    /** A NIC offering {@code deviceFeatures} instead of the default set. */
    NicFixture(long deviceFeatures) {
        this(deviceFeatures, 1);
    }

    /** A NIC of {@code pairs} queue pairs offering {@code deviceFeatures}. */
    NicFixture(long deviceFeatures, int pairs) {
        nic = new VirtioNetNic(sched, mm, MAC, alloc, deviceFeatures, pairs);
        nic.setTranslations(asid -> asid == 0 ? map : null);
        nic.attach(wire.endA());
        nic.setCallHandler(calls::add);
        far.setReceiver(f -> {
            byte[] b = new byte[f.readableBytes()];
            f.readBytes(b);
            f.release();
            received.add(b);
        });
    }

    /** The driver's side of one queue at fixed GPAs: a {@link DriverRing} plus the NIC calls a driver makes. */
    final class Ring {
        final int q;
        final int num;
        final DriverRing ring;
        /** Ring addresses as plain numbers, for tests that write ring fields raw (GPA = offset here). */
        final long desc;
        final long avail;
        final long used;
        /** Next descriptor slot {@link #single} takes. */
        int nextDesc;

        Ring(int q, int num, long base) {
            this.q = q;
            this.num = num;
            this.ring = DriverRing.contiguous(guest, num, Gpa.of(base));
            this.desc = ring.layout().desc().value();
            this.avail = ring.layout().avail().value();
            this.used = ring.layout().used().value();
        }

        void setUp() {
            nic.setVqNum(q, num);
            nic.setVqAddress(q, Iova.of(desc), Iova.of(avail), Iova.of(used));
            nic.setVqReady(q, true);
        }

        /** Writes descriptor {@code i}. */
        void desc(int i, long addr, int len, int flags, int next) {
            ring.writeDesc(i, Gpa.of(addr), len, flags, next);
        }

        /** Makes head {@code head} available and kicks. */
        void publish(int head) {
            ring.offer(head);
            nic.kick(q);
            sched.runUntilIdle();
        }

        /** A one-descriptor chain at a fresh descriptor slot. */
        int single(long addr, int len, boolean writable) {
            int i = nextDesc++ % num;
            desc(i, addr, len, writable ? SplitRing.DESC_F_WRITE : 0, 0);
            return i;
        }

        int usedIdx() {
            return ring.usedIdx();
        }

        int usedId(int i) {
            return ring.usedId(i);
        }

        int usedLen(int i) {
            return ring.usedLen(i);
        }
    }

    /** Programs queue {@code q} with a layout no {@link DriverRing} is made for (hostile sizes, addresses). */
    void setUpQueue(int q, int num, DriverRing.Layout l) {
        nic.setVqNum(q, num);
        nic.setVqAddress(q, Iova.of(l.desc().value()), Iova.of(l.avail().value()), Iova.of(l.used().value()));
        nic.setVqReady(q, true);
    }

    Ring rx() {
        return new Ring(VirtioNetNic.RX, 16, 0x10000);
    }

    Ring tx() {
        return new Ring(VirtioNetNic.TX, 16, 0x20000);
    }

    void start(long features, Ring... rings) {
        nic.setDriverFeatures(features | VirtioFeatures.bit(VirtioFeatures.F_VERSION_1));
        for (Ring r : rings) {
            r.setUp();
        }
        nic.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK);
        sched.runUntilIdle();
    }

    /** Puts a TX frame (12-byte header + {@code frame}) at {@code gpa}. */
    void putTxBuffer(long gpa, byte[] frame) {
        ram.zero(gpa, 12);
        ram.write(gpa + 12, frame, 0, frame.length);
    }

    static byte[] frame(int len, int seed) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) {
            f[i] = (byte) (seed * 31 + i);
        }
        return f;
    }

    void sendFromWire(byte[] frame) {
        ByteBuf b = alloc.buffer(frame.length).writeBytes(frame);
        far.send(b);
        sched.runUntilIdle();
    }

    /** Resets the NIC, closes the wire and checks that every buffer came back (no leak on any path). */
    @Override
    public void close() {
        nic.reset();
        wire.endA().close();
        far.close();
        sched.runUntilIdle();
        long leaked = alloc.live();
        if (leaked != 0) {
            throw new AssertionError(leaked + " Netty buffer(s) not released");
        }
    }
}
