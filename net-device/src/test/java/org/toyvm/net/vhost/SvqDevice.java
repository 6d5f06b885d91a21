package org.toyvm.net.vhost;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.queue.DescriptorChain;
import org.toyvm.hw.queue.SplitQueue;

/**
 * The device end of a shadow ring, played by virtio-hw's {@link SplitQueue} through the parent's DMA
 * translations: it reads the ring where SET_VRING_ADDR said (in the ring's ASID), walks each chain,
 * reaches buffers in the buffers' ASID, writes into writable ones and returns used elements.
 */
final class SvqDevice {
    /** One descriptor as the device saw it. */
    record Desc(long iova, long len, boolean write) {
    }

    /** One chain as the device popped it: the shadow head and its descriptors. */
    record Chain(int head, List<Desc> descs) {
    }

    final SplitQueue q;
    private final SvqFixture f;
    private final int ringAsid;
    private final int bufAsid;
    private final boolean eventIdx;
    String broken;

    SvqDevice(SvqFixture f, ShadowDataVq svq, int ringAsid, int bufAsid, boolean eventIdx) {
        this.f = f;
        this.ringAsid = ringAsid;
        this.bufAsid = bufAsid;
        this.eventIdx = eventIdx;
        q = new SplitQueue(svq.queueIndex(), SplitRing.MAX_QUEUE_SIZE, f.dma, why -> broken = why);
        q.setSize(svq.shadowSize());
        q.setAddresses(svq.driverAreaIova(), svq.driverAreaIova().plus(SplitRing.descTableSize(svq.shadowSize())),
                svq.deviceAreaIova());
        q.setBase(0);
    }

    /** Every chain available now. */
    List<Chain> popAll() {
        List<Chain> out = new ArrayList<>();
        q.beginKick(ringAsid, false, eventIdx);
        for (int head; (head = q.pop()) >= 0;) {
            DescriptorChain c = q.chain(head);
            List<Desc> ds = new ArrayList<>();
            for (DescriptorChain.Descriptor d; (d = c.next()) != null;) {
                ds.add(new Desc(d.addr(), d.len(), d.writable()));
            }
            if (c.error() != org.toyvm.hw.queue.ChainError.NONE) {
                throw new AssertionError("shadow chain " + head + ": " + c.error());
            }
            out.add(new Chain(head, ds));
        }
        return out;
    }

    /** Writes {@code bytes} at the start of the chain's first writable buffer (in the buffers' ASID). */
    void write(Chain c, byte[] bytes) {
        Desc d = c.descs().stream().filter(Desc::write).findFirst().orElseThrow();
        if (!f.dma.resolve(bufAsid, d.iova(), bytes.length, DmaEntry.PERM_WO)) {
            throw new AssertionError("buffer at iova 0x" + Long.toHexString(d.iova()) + " not reachable");
        }
        f.dma.writeResolved(0, bytes, 0, bytes.length);
    }

    /** True when the device can read {@code len} bytes at {@code iova} in the buffers' ASID. */
    boolean readable(long iova, int len) {
        return f.dma.resolve(bufAsid, iova, len, DmaEntry.PERM_RO);
    }

    void use(Chain c, int len) {
        if (!q.addUsed(c.head(), len)) {
            throw new AssertionError("used ring not reachable");
        }
    }

    /** Writes a raw used element (a misbehaving device). */
    void useRaw(int id, int len) {
        if (!q.addUsed(id, len)) {
            throw new AssertionError("used ring not reachable");
        }
    }
}
