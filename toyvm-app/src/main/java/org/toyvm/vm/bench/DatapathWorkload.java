package org.toyvm.vm.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.function.Consumer;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.iotlb.VhostIotlb;

/**
 * One frame through the whole datapath: the driver puts it on the TX ring ({@link DriverRing}), the
 * NIC reads it through the IOTLB into a wire buffer, an in-process reflector sends that buffer
 * straight back, the NIC writes header and frame into an RX buffer through the IOTLB, and the driver
 * reaps the RX ring and re-posts the buffer.
 *
 * <p>The baseline ({@link #plainCopy()}) moves the same bytes the plainest way there is: the frame
 * from the guest's TX buffer into one reused wire buffer of the kind the NIC uses (heap, for this
 * same-thread port), then the header
 * and the frame from it into the guest's RX buffer. It allocates nothing, so the ratio of the two is
 * the datapath's whole overhead (rings, translation, descriptor checks, scheduling).
 */
public final class DatapathWorkload {
    private static final int Q = 256;
    private static final int BUF = 2048;
    private static final Gpa RX_RING = Gpa.of(0x10000);
    private static final Gpa TX_RING = Gpa.of(0x20000);
    private static final long RXBUF = 0x100000;
    private static final long TXBUF = 0x200000;
    private static final long RAM = 4L << 20;

    private final VirtualScheduler sched = new VirtualScheduler();
    private final RamBlock ram;
    private final VirtioNetNic nic;
    private final DriverRing rx;
    private final DriverRing tx;
    private final int frameLen;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    /** The baseline's wire buffer: allocated once, reused by every copy. */
    private final ByteBuf wire;
    private final byte[] header = new byte[VirtioNet.HDR_V1_SIZE];
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

        /** Frames go straight to the NIC's receive path on this thread: nothing is queued elsewhere. */
        @Override
        public boolean sameThread() {
            return true;
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
        ram = mm.map("guest", RAM);
        GuestRam guest = GuestRam.at(ram, Gpa.of(0));
        VhostIotlb map = new VhostIotlb();
        map.add(0, RAM - 1, ram.base().value(), DmaEntry.PERM_RW);
        nic = new VirtioNetNic(sched, mm, 0x525400123456L, alloc);
        nic.setTranslations(asid -> map);
        nic.attach(new Reflector());
        nic.setCallHandler(q -> { });
        nic.setDriverFeatures(VirtioFeatures.bit(VirtioFeatures.F_VERSION_1));
        rx = DriverRing.contiguous(guest, Q, RX_RING);
        tx = DriverRing.contiguous(guest, Q, TX_RING);
        setup(VirtioNetNic.RX, rx);
        setup(VirtioNetNic.TX, tx);
        byte[] f = new byte[frameLen];
        for (int k = 0; k < frameLen; k++) {
            f[k] = (byte) k;
        }
        for (int i = 0; i < Q; i++) {
            rx.writeDesc(i, Gpa.of(RXBUF + i * (long) BUF), BUF, SplitRing.DESC_F_WRITE, 0);
            rx.add(i);
            tx.writeDesc(i, Gpa.of(TXBUF + i * (long) BUF), VirtioNet.HDR_V1_SIZE + frameLen, 0, 0);
            ram.write(TXBUF + i * (long) BUF + VirtioNet.HDR_V1_SIZE, f, 0, frameLen);
        }
        rx.publish();
        // A heap buffer, like the NIC's frame buffers for a same-thread port (and array to array is the
        // fastest plain copy there is here).
        wire = alloc.heapBuffer(VirtioNetNic.MAX_FRAME, VirtioNetNic.MAX_FRAME);
        header[VirtioNet.HDR_NUM_BUFFERS] = 1;
        nic.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK);
        sched.runUntilIdle();
    }

    private void setup(int q, DriverRing r) {
        DriverRing.Layout l = r.layout();
        nic.setVqNum(q, r.size());
        nic.setVqAddress(q, Iova.of(l.desc().value()), Iova.of(l.avail().value()),
                Iova.of(l.used().value()));
        nic.setVqReady(q, true);
    }

    /** One frame out and back; answers the bytes received (so the work cannot be optimised away). */
    public int roundTrip() {
        tx.offer(slot);
        slot = (slot + 1) & (Q - 1);
        nic.kick(VirtioNetNic.TX);
        sched.runUntilIdle();
        int got = 0;
        while (rx.hasUsed()) {
            got += rx.nextUsedLen();
            rx.add(rx.nextUsedId());
            rx.consumeUsed();
        }
        rx.publish();
        return got;
    }

    /** The baseline: the same bytes copied guest buffer → wire buffer → guest buffer, allocating nothing. */
    public int plainCopy() {
        int id = slot;
        slot = (slot + 1) & (Q - 1);
        wire.clear();
        ram.readTo(TXBUF + id * (long) BUF + VirtioNet.HDR_V1_SIZE, wire, frameLen);
        long rxAt = RXBUF + id * (long) BUF;
        ram.write(rxAt, header, 0, header.length);
        ram.writeFrom(rxAt + VirtioNet.HDR_V1_SIZE, wire, frameLen);
        return frameLen + VirtioNet.HDR_V1_SIZE;
    }

    /** Gives the baseline's wire buffer back (JMH tear-down; the datapath's buffers go with the NIC). */
    public void close() {
        nic.reset();
        if (wire.refCnt() > 0) {
            wire.release();
        }
    }

    public long reflected() {
        return reflected;
    }
}
