package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.iotlb.VhostIotlb;

/**
 * A NIC over 1 MiB of guest RAM mapped 1:1 by IOVA (through a table the test can change), with a
 * model driver that writes rings the way a guest does, and the far end of an in-process wire.
 */
final class NicFixture implements AutoCloseable {
    static final long RAM = 1 << 20;
    final VirtualScheduler sched = new VirtualScheduler();
    final HostAddressSpace mm = new HostAddressSpace();
    final RamBlock ram = mm.map("guest", RAM);
    final VhostIotlb map = new VhostIotlb();
    /** Every Netty buffer the NIC and the test allocate; all must be released by {@link #close()}. */
    final TrackingAllocator alloc = new TrackingAllocator();
    final VirtioNetNic nic = new VirtioNetNic(sched, mm, 0x525400123456L, alloc);
    final InProcessWire wire = new InProcessWire(sched, 0);
    final WirePort far = wire.endB();
    final List<byte[]> received = new ArrayList<>();
    final List<Integer> calls = new ArrayList<>();

    NicFixture() {
        // One entry per 4 KiB page, so that a test can unmap or re-permission a single page.
        for (long pg = 0; pg < RAM; pg += 4096) {
            map.add(pg, pg + 4095, ram.base().value() + pg, DmaEntry.PERM_RW);
        }
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

    /** Guest-side view of one queue at fixed GPAs. */
    final class Ring {
        final int q;
        final int num;
        final long desc;
        final long avail;
        final long used;
        int availIdx;
        int nextDesc;
        int usedSeen;

        Ring(int q, int num, long base) {
            this.q = q;
            this.num = num;
            this.desc = base;
            this.avail = base + SplitRing.descTableSize(num);
            this.used = (avail + SplitRing.availSize(num) + 3) & ~3L;
        }

        void setUp() {
            nic.setVqNum(q, num);
            nic.setVqAddress(q, desc, avail, used);
            nic.setVqReady(q, true);
        }

        /** Writes descriptor {@code i}. */
        void desc(int i, long addr, int len, int flags, int next) {
            long at = desc + SplitRing.desc(i);
            ram.putU64(at, addr);
            ram.putU32(at + 8, len);
            ram.putU16(at + 12, (short) flags);
            ram.putU16(at + 14, (short) next);
        }

        /** Makes head {@code head} available and kicks. */
        void publish(int head) {
            ram.putU16(avail + SplitRing.availRing(availIdx % num), (short) head);
            availIdx = (availIdx + 1) & 0xffff;
            ram.putU16Release(avail + SplitRing.AVAIL_IDX, (short) availIdx);
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
            return ram.getU16(used + SplitRing.USED_IDX) & 0xffff;
        }

        int usedId(int i) {
            return ram.getU32(used + SplitRing.usedElem(i % num));
        }

        int usedLen(int i) {
            return ram.getU32(used + SplitRing.usedElem(i % num) + 4);
        }
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
        long leaked = alloc.outstanding();
        if (leaked != 0) {
            throw new AssertionError(leaked + " Netty buffer(s) not released");
        }
    }

    /** A heap allocator that remembers what it handed out, to count what was never released. */
    static final class TrackingAllocator extends io.netty.buffer.AbstractByteBufAllocator {
        private final List<ByteBuf> handedOut = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new io.netty.buffer.UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            handedOut.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        long outstanding() {
            return handedOut.stream().filter(b -> b.refCnt() > 0).count();
        }
    }
}
