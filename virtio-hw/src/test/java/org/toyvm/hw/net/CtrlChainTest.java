package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.toyvm.hw.net.CvqDriver.ACK;
import static org.toyvm.hw.net.CvqDriver.CTRL_FEATURES;
import static org.toyvm.hw.net.CvqDriver.DATA;
import static org.toyvm.hw.net.CvqDriver.UNTOUCHED;
import static org.toyvm.hw.net.CvqDriver.le16;
import static org.toyvm.hw.net.CvqDriver.u8;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.hw.queue.ChainError;

/**
 * The control queue's chains (docs/bad-input.md §18–21): a command split across descriptors in any
 * way works (virtio 1.x §2.7.4: the device must not assume a layout); a chain with no ack byte comes
 * back with used length 0; a short header or over-long data is answered VIRTIO_NET_ERR; lengths are
 * unsigned 32-bit and never make the device read more than {@link CtrlQueue#MAX_COMMAND} bytes.
 */
class CtrlChainTest {
    private static final int OK = VirtioNet.CTRL_OK;
    private static final int ERR = VirtioNet.CTRL_ERR;

    @Test
    void headerAndDataSplitByteByByte() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            byte[] vid = le16(0x123);
            assertEquals(OK, d.sendParts(1, u8(VirtioNet.CTRL_VLAN), u8(VirtioNet.CTRL_VLAN_ADD), u8(vid[0]),
                    u8(vid[1])));
            assertEquals(true, d.filter().vlanAllowed(0x123), "the le16 put together across descriptors");
            assertEquals(OK, d.sendParts(1, new byte[] {VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_DEL, vid[0]},
                    new byte[0], u8(vid[1])), "a zero-length descriptor in between adds nothing");
            assertFalse(d.filter().vlanAllowed(0x123));
            assertEquals(2, d.counters().ctrlOk());
        }
    }

    @Test
    void ackGoesIntoTheFirstWritableByteAndTheUsedLengthIsOne() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            d.f.ram.write(DATA, new byte[] {VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, 0}, 0, 3);
            d.ring.desc(0, DATA, 3, SplitRing.DESC_F_NEXT, 1);
            d.ring.desc(1, ACK, 0, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 2); // empty: skipped
            d.ring.desc(2, ACK, 4, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 3);
            d.ring.desc(3, ACK + 0x100, 1, SplitRing.DESC_F_WRITE, 0);
            d.f.ram.putU32(ACK, 0x5a5a5a5a);
            d.f.ram.putU8(ACK + 0x100, (byte) UNTOUCHED);
            assertEquals(OK, d.publish());
            assertEquals(1, d.ring.usedLen(0));
            assertEquals(0x5a5a5a00, d.f.ram.getU32(ACK), "only the first byte written");
            assertEquals(UNTOUCHED, d.f.ram.getU8(ACK + 0x100));
        }
    }

    @Test
    void noWritableByteComesBackWithLengthZero() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            byte[] cmd = {VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, 0};
            assertEquals(-1, d.sendParts(0, cmd), "no writable descriptor");
            d.f.ram.write(DATA, cmd, 0, 3);
            d.ring.desc(0, DATA, 3, SplitRing.DESC_F_NEXT, 1);
            d.ring.desc(1, ACK, 0, SplitRing.DESC_F_WRITE, 0);
            assertEquals(-1, d.publish(), "a writable descriptor of length 0");
            assertEquals(true, d.filter().promisc(), "the command is not run");
            assertEquals(2, d.counters().ctrlMalformed());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void headerShorterThanTwoBytesIsErr(int len) {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(ERR, d.sendParts(1, new byte[len]));
            assertEquals(1, d.counters().ctrlMalformed());
            assertEquals(0, d.counters().ctrlErr() + d.counters().ctrlOk());
        }
    }

    @Test
    void commandLongerThanTheLimitIsErrWithoutReadingIt() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            byte[] big = new byte[CtrlQueue.MAX_COMMAND + 1];
            big[0] = VirtioNet.CTRL_RX;
            assertEquals(ERR, d.sendParts(1, big));
            byte[] exactly = new byte[CtrlQueue.MAX_COMMAND];
            exactly[0] = VirtioNet.CTRL_RX; // PROMISC off, followed by bytes QEMU ignores
            assertEquals(OK, d.sendParts(1, exactly));
            // 2^31 bytes named by one descriptor, far past guest RAM: refused by length, never read.
            long faults = d.f.nic.dmaFaults();
            d.ring.desc(0, DATA, 0x8000_0000, SplitRing.DESC_F_NEXT, 1);
            d.ring.desc(1, ACK, 1, SplitRing.DESC_F_WRITE, 0);
            assertEquals(ERR, d.publish());
            assertEquals(faults, d.f.nic.dmaFaults());
            assertEquals(2, d.counters().ctrlMalformed());
        }
    }

    @Test
    void lengthsPastTwoToThe32AreChainErrors() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            d.ring.desc(0, DATA, 2, SplitRing.DESC_F_NEXT, 1);
            d.ring.desc(1, DATA, 0xffff_ffff, SplitRing.DESC_F_NEXT, 2); // total 2 + (2^32 - 1)
            d.ring.desc(2, ACK, 1, SplitRing.DESC_F_WRITE, 0);
            assertEquals(-1, d.publish());
            assertEquals(1, d.counters().chainDrops(ChainError.LENGTH_OVERFLOW));
            d.ring.desc(0, -16L, 32, SplitRing.DESC_F_NEXT, 1); // wraps past 2^64
            d.ring.desc(1, ACK, 1, SplitRing.DESC_F_WRITE, 0);
            assertEquals(-1, d.publish());
            assertEquals(2, d.counters().chainDrops(ChainError.LENGTH_OVERFLOW));
        }
    }

    @Test
    void unreadableCommandOrUnreachableAckChangesNothing() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            d.ring.desc(0, NicFixture.RAM, 3, SplitRing.DESC_F_NEXT, 1); // just past guest RAM
            d.ring.desc(1, ACK, 1, SplitRing.DESC_F_WRITE, 0);
            assertEquals(-1, d.publish());
            assertEquals(1, d.counters().chainDrops(ChainError.DMA_FAULT));
            d.f.ram.write(DATA, new byte[] {VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, 0}, 0, 3);
            d.ring.desc(0, DATA, 3, SplitRing.DESC_F_NEXT, 1);
            d.ring.desc(1, NicFixture.RAM, 1, SplitRing.DESC_F_WRITE, 0);
            long faults = d.f.nic.dmaFaults();
            assertEquals(-1, d.publish());
            assertEquals(faults + 1, d.f.nic.dmaFaults());
            assertEquals(true, d.filter().promisc(), "a command that cannot be answered is not run");
            assertEquals(0, d.counters().ctrlOk() + d.counters().ctrlErr() + d.counters().ctrlMalformed());
        }
    }

    @Test
    void aLoopingChainIsDroppedAndTheQueueGoesOn() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            d.ring.desc(0, DATA, 2, SplitRing.DESC_F_NEXT, 1);
            d.ring.desc(1, DATA, 2, SplitRing.DESC_F_NEXT, 0);
            assertEquals(-1, d.publish());
            assertEquals(1, d.counters().chainDrops(ChainError.TOO_LONG));
            assertEquals(OK, d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, u8(1)));
        }
    }
}
