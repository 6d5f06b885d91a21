package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;

/**
 * The driver's side of the control queue over a {@link NicFixture}: it writes a command chain — the
 * readable parts each in its own descriptor, then the writable ack buffer — publishes it and answers
 * the ack byte the device wrote, or -1 when the chain came back with used length 0.
 */
final class CvqDriver implements AutoCloseable {
    /** Every control feature, and two guest offloads to negotiate. */
    static final long CTRL_FEATURES = bits(VirtioFeatures.NET_F_CTRL_VQ, VirtioFeatures.NET_F_CTRL_RX,
            VirtioFeatures.NET_F_CTRL_RX_EXTRA, VirtioFeatures.NET_F_CTRL_VLAN, VirtioFeatures.NET_F_CTRL_MAC_ADDR,
            VirtioFeatures.NET_F_GUEST_ANNOUNCE, VirtioFeatures.NET_F_MQ, VirtioFeatures.NET_F_CTRL_GUEST_OFFLOADS,
            VirtioFeatures.NET_F_GUEST_CSUM, VirtioFeatures.NET_F_GUEST_TSO4);
    static final long DATA = 0x40000;
    static final long ACK = 0x48000;
    /** What the ack byte holds before the device answers. */
    static final int UNTOUCHED = 0x5a;

    final NicFixture f;
    final NicFixture.Ring ring;

    /** A NIC offering every control feature, with {@code driverFeatures} negotiated. */
    CvqDriver(long driverFeatures) {
        f = new NicFixture(VirtioNetNic.DEVICE_FEATURES | CTRL_FEATURES);
        ring = f.new Ring(VirtioNetNic.CTRL, 16, 0x30000);
        f.start(driverFeatures, ring);
    }

    /** The control queue of {@code f}'s NIC (at 2N), not started: the caller starts it with its data queues. */
    CvqDriver(NicFixture f) {
        this.f = f;
        ring = f.new Ring(f.nic.ctrlQueue(), 16, 0x30000);
    }

    static long bits(int... features) {
        long m = 0;
        for (int b : features) {
            m |= VirtioFeatures.bit(b);
        }
        return m;
    }

    NicCounters counters() {
        return f.nic.counters();
    }

    RxFilter filter() {
        return f.nic.rxFilter();
    }

    /** One command: header and data in one descriptor, a one-byte ack. */
    int send(int cls, int cmd, byte[] data) {
        return sendParts(1, cat(new byte[] {(byte) cls, (byte) cmd}, data));
    }

    /**
     * A chain of {@code parts} (device-readable, one descriptor each) and, unless {@code ackLen} is 0,
     * one writable buffer of {@code ackLen} bytes; answers the ack byte, or -1 for used length 0.
     */
    int sendParts(int ackLen, byte[]... parts) {
        long addr = DATA;
        int i = 0;
        for (byte[] p : parts) {
            f.ram.write(addr, p, 0, p.length);
            boolean last = i == parts.length - 1 && ackLen == 0;
            ring.desc(i, addr, p.length, last ? 0 : SplitRing.DESC_F_NEXT, i + 1);
            addr += 0x100;
            i++;
        }
        if (ackLen > 0) {
            f.ram.zero(ACK, ackLen);
            f.ram.putU8(ACK, (byte) UNTOUCHED);
            ring.desc(i, ACK, ackLen, SplitRing.DESC_F_WRITE, 0);
        }
        return publish();
    }

    /** Publishes the chain at head 0 and answers the ack (or -1 for used length 0). */
    int publish() {
        int before = ring.usedIdx();
        ring.publish(0);
        assertEquals((before + 1) & 0xffff, ring.usedIdx(), "every chain comes back");
        int len = ring.usedLen(before % ring.num);
        return len == 0 ? -1 : f.ram.getU8(ACK) & 0xff;
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] le16(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    static byte[] le32(long v) {
        return cat(le16((int) v), le16((int) (v >>> 16)));
    }

    static byte[] le64(long v) {
        return cat(le32(v), le32(v >>> 32));
    }

    static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    /** A virtio_net_ctrl_mac table: le32 count then the 48-bit MACs. */
    static byte[] macTable(long count, long... macs) {
        byte[] b = cat(le32(count), new byte[macs.length * VirtioNet.ETH_ALEN]);
        for (int k = 0; k < macs.length; k++) {
            for (int j = 0; j < VirtioNet.ETH_ALEN; j++) {
                b[4 + k * VirtioNet.ETH_ALEN + j] = (byte) (macs[k] >>> (8 * (VirtioNet.ETH_ALEN - 1 - j)));
            }
        }
        return b;
    }

    static byte[] mac(long mac) {
        byte[] t = macTable(0, mac);
        return java.util.Arrays.copyOfRange(t, 4, 10);
    }

    @Override
    public void close() {
        f.close();
    }
}
