package org.toyvm.net.vhost;

import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;

/** The guest side of a control queue in the fixture's RAM: rings, command buffers, acks, and the start. */
final class GuestCvq {
    static final int SIZE = 64;
    static final long RX = 0x10000;
    static final long TX = 0x20000;
    static final long RING = 0x30000;
    static final long CMD = 0x40000;
    static final long ACK = 0x48000;
    static final long FEATURES = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1) | VirtioFeatures.bit(VirtioFeatures.NET_F_MAC)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VQ) | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_MAC_ADDR)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_MQ) | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_RX)
            | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VLAN);

    final FrontendFixture f;
    final DriverRing ring;
    final int cvq;

    GuestCvq(FrontendFixture f, int cvq) {
        this.f = f;
        this.cvq = cvq;
        this.ring = DriverRing.contiguous(GuestRam.at(f.ram, Gpa.of(0)), SIZE, Gpa.of(RING));
    }

    static QueueConfig queue(int index, long base, int size) {
        DriverRing.Layout l = DriverRing.Layout.contiguous(Gpa.of(base), size);
        return new QueueConfig(index, size, l.desc(), l.avail(), l.used(), true);
    }

    /** The queues the guest set up: rx/tx of pair 0 and the control queue. */
    List<QueueConfig> queues() {
        List<QueueConfig> qs = new ArrayList<>();
        qs.add(queue(0, RX, 256));
        qs.add(queue(1, TX, 256));
        qs.add(queue(cvq, RING, SIZE));
        return qs;
    }

    /** DRIVER_OK with {@code features}; fails the test if the start fails. */
    void start(long features) {
        String err = f.fe.start(features, queues());
        if (err != null) {
            throw new AssertionError("start failed: " + err);
        }
    }

    /** Writes {class, cmd, data} at CMD and a one-byte ack at ACK (set to 0xff), descriptors 0 and 1, and kicks. */
    int send(int cls, int cmd, int... data) {
        byte[] b = new byte[VirtioNet.CTRL_HDR_SIZE + data.length];
        b[0] = (byte) cls;
        b[1] = (byte) cmd;
        for (int i = 0; i < data.length; i++) {
            b[2 + i] = (byte) data[i];
        }
        f.ram.write(CMD, b, 0, b.length);
        f.ram.putU8(ACK, (byte) 0xff);
        ring.writeDesc(0, Gpa.of(CMD), b.length, SplitRing.DESC_F_NEXT, 1);
        ring.writeDesc(1, Gpa.of(ACK), 1, SplitRing.DESC_F_WRITE, 0);
        ring.offer(0);
        f.fe.notify(cvq);
        return ack();
    }

    int ack() {
        return f.ram.getU8(ACK) & 0xff;
    }

    /** The guest's used index as QEMU pushed it. */
    int usedIdx() {
        return ring.usedIdx();
    }

    int lastUsedLen() {
        return ring.usedLen((ring.usedIdx() - 1) & 0xffff);
    }
}
