package org.toyvm.vm.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.function.Consumer;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.iotlb.VhostIotlb;

/**
 * One frame through the whole datapath: the driver puts it on the TX ring, the NIC reads it through
 * the IOTLB, an in-process reflector sends it straight back, the NIC writes it into an RX buffer
 * through the IOTLB, and the driver reaps both rings and re-posts. The baseline moves the same
 * bytes with plain copies (guest buffer → wire buffer → guest buffer).
 */
public final class DatapathWorkload {
    private static final int Q = 256;
    private static final long RX = 0x10000;
    private static final long TX = 0x20000;
    private static final long RXBUF = 0x100000;
    private static final long TXBUF = 0x200000;

    private final VirtualScheduler sched = new VirtualScheduler();
    private final RamBlock ram;
    private final VirtioNetNic nic;
    private final int frameLen;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private int txAvail;
    private int rxAvail;
    private int rxUsedSeen;
    private int slot;
    private long reflected;

    /** A port that hands every frame straight back to the NIC's RX path. */
    private final class Reflector implements WirePort {
        private Consumer<ByteBuf> receiver;

        @Override
        public void send(ByteBuf frame) {
            reflected++;
            receiver.accept(frame);
        }

        @Override
        public void setReceiver(Consumer<ByteBuf> r) {
            receiver = r;
        }

        @Override
        public long malformed() {
            return 0;
        }

        @Override
        public long framesOut() {
            return reflected;
        }

        @Override
        public long framesIn() {
            return reflected;
        }

        @Override
        public String describe() {
            return "reflector";
        }

        @Override
        public void close() {
        }
    }

    public DatapathWorkload(int frameLen) {
        this.frameLen = frameLen;
        HostAddressSpace mm = new HostAddressSpace();
        ram = mm.map("guest", 4L << 20);
        VhostIotlb map = new VhostIotlb();
        map.add(0, (4L << 20) - 1, ram.base().value(), DmaEntry.PERM_RW);
        nic = new VirtioNetNic(sched, mm, 0x525400123456L, alloc);
        nic.setTranslations(asid -> map);
        nic.attach(new Reflector());
        nic.setCallHandler(q -> { });
        nic.setDriverFeatures(VirtioFeatures.bit(VirtioFeatures.F_VERSION_1));
        setup(0, RX);
        setup(1, TX);
        for (int i = 0; i < Q; i++) {
            desc(RX, i, RXBUF + i * 2048L, 2048, SplitRing.DESC_F_WRITE);
            ram.putU16(avail(RX) + SplitRing.availRing(i), (short) i);
            desc(TX, i, TXBUF + i * 2048L, 12 + frameLen, 0);
            byte[] f = new byte[frameLen];
            for (int k = 0; k < frameLen; k++) {
                f[k] = (byte) k;
            }
            ram.write(TXBUF + i * 2048L + 12, f, 0, frameLen);
        }
        rxAvail = Q;
        ram.putU16(avail(RX) + SplitRing.AVAIL_IDX, (short) rxAvail);
        nic.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK);
        sched.runUntilIdle();
    }

    private void setup(int q, long ring) {
        nic.setVqNum(q, Q);
        nic.setVqAddress(q, ring, avail(ring), used(ring));
        nic.setVqReady(q, true);
    }

    private static long avail(long ring) {
        return ring + 16L * Q;
    }

    private static long used(long ring) {
        return (avail(ring) + 6 + 2L * Q + 3) & ~3L;
    }

    private void desc(long ring, int i, long addr, int len, int flags) {
        long d = ring + SplitRing.desc(i);
        ram.putU64(d, addr);
        ram.putU32(d + 8, len);
        ram.putU16(d + 12, (short) flags);
    }

    /** One frame out and back; answers the bytes received (so the work cannot be optimised away). */
    public int roundTrip() {
        int id = slot;
        slot = (slot + 1) & (Q - 1);
        ram.putU16(avail(TX) + SplitRing.availRing(txAvail & (Q - 1)), (short) id);
        txAvail = (txAvail + 1) & 0xffff;
        ram.putU16Release(avail(TX) + SplitRing.AVAIL_IDX, (short) txAvail);
        nic.kick(1);
        sched.runUntilIdle();
        int got = 0;
        int usedIdx = ram.getU16Acquire(used(RX) + SplitRing.USED_IDX) & 0xffff;
        while (rxUsedSeen != usedIdx) {
            long e = used(RX) + SplitRing.usedElem(rxUsedSeen & (Q - 1));
            int rid = ram.getU32(e);
            got += ram.getU32(e + 4);
            ram.putU16(avail(RX) + SplitRing.availRing(rxAvail & (Q - 1)), (short) rid);
            rxAvail = (rxAvail + 1) & 0xffff;
            rxUsedSeen = (rxUsedSeen + 1) & 0xffff;
        }
        ram.putU16Release(avail(RX) + SplitRing.AVAIL_IDX, (short) rxAvail);
        return got;
    }

    /** The baseline: the same bytes copied guest buffer → wire buffer → guest buffer. */
    public int plainCopy() {
        int id = slot;
        slot = (slot + 1) & (Q - 1);
        ByteBuf wire = alloc.buffer(frameLen);
        try {
            ram.readTo(TXBUF + id * 2048L + 12, wire, frameLen);
            ram.writeFrom(RXBUF + id * 2048L + 12, wire, frameLen);
        } finally {
            wire.release();
        }
        return frameLen + 12;
    }

    public long reflected() {
        return reflected;
    }
}
