package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.addr.Iova;
import org.toyvm.hw.queue.ChainError;

/**
 * The NIC's own control surface at the edges of its widths: the doorbell (a guest write of a 32-bit
 * queue index into the notify page), queue indexes of the vDPA operations, and config reads
 * (offset and length unsigned 32-bit). Nothing throws; an out-of-range value does nothing and, for
 * the guest-written doorbell, is counted.
 */
class NicControlBoundaryTest {
    @ParameterizedTest
    @CsvSource({"0, 4, true", "1, 4, true", "2, 4, true", "3, 4, false", "2147483647, 4, false",
        "2147483648, 4, false", "4294967295, 4, false", "4294967297, 4, false", "-9223372036854775807, 4, false",
        "-1, 4, false", "1, 2, false", "1, 8, false", "1, 0, false"})
    void doorbellIsAnUnsigned32BitQueueIndex(long value, int size, boolean kicks) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.desc(0, 0x40000, 72, 0, 0);
            // The guest makes the chain available without the model driver's kick.
            f.ram.putU16(tx.avail + org.toyvm.core.virtio.SplitRing.availRing(0), (short) 0);
            f.ram.putU16Release(tx.avail + org.toyvm.core.virtio.SplitRing.AVAIL_IDX, (short) 1);
            f.nic.doorbell(value, size);
            f.sched.runUntilIdle();
            // Only index 1 (TX) sends; 0 and 2 are kicks of other queues.
            assertEquals(kicks && value == 1 ? 1 : 0, f.received.size());
            assertEquals(kicks ? 0 : 1, f.nic.counters().badDoorbells());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, Integer.MAX_VALUE, Integer.MIN_VALUE, -1})
    void queueOperationsOnQueuesThatDoNotExistDoNothing(int vq) {
        try (NicFixture f = new NicFixture()) {
            f.nic.setVqNum(vq, 16);
            f.nic.setVqAddress(vq, Iova.of(0), Iova.of(0), Iova.of(0));
            f.nic.setVqBase(vq, 5);
            f.nic.setVqReady(vq, true);
            f.nic.kick(vq);
            f.nic.setGroupAsid(vq, 1);
            f.sched.runUntilIdle();
            assertEquals(0, f.nic.vqBase(vq));
            assertEquals(false, f.nic.vqReady(vq));
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 6, true", "18, 6, true", "0, 24, true", "0, 25, false", "24, 0, true", "24, 1, false",
        "2147483647, 1, false", "-2147483648, 1, false", "-1, 1, false", "0, -1, false", "1, -1, false",
        "-1, 2, false"})
    void configReadsOutsideTheSpaceCopyNothing(int offset, int len, boolean copies) {
        byte[] config = new byte[24];
        byte[] head = {0x52, 0x54, 0, 0x12, 0x34, 0x56, 1, 0, 1, 0, (byte) 0xdc, 0x05};
        System.arraycopy(head, 0, config, 0, head.length);
        try (NicFixture f = new NicFixture()) {
            byte[] dst = new byte[32];
            java.util.Arrays.fill(dst, (byte) 0x5a);
            byte[] expected = dst.clone();
            if (copies) {
                System.arraycopy(config, offset, expected, 0, len);
            }
            f.nic.readConfig(offset, dst, 0, len);
            assertArrayEquals(expected, dst);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 8, 30, Integer.MAX_VALUE, Integer.MIN_VALUE, -1})
    void configReadsIntoTooSmallADestinationCopyNothing(int dstIndex) {
        try (NicFixture f = new NicFixture()) {
            byte[] dst = new byte[8];
            f.nic.readConfig(0, dst, dstIndex, 6);
            boolean fits = dstIndex >= 0 && dstIndex <= 2;
            assertEquals(fits ? 0x52 : 0, dst[fits ? dstIndex : 0] & 0xff);
        }
    }

    /**
     * Control queue, the ack buffer's address and length at their edges: the command (RX PROMISC
     * with no on/off byte, CTRL_RX not negotiated) is answered VIRTIO_NET_ERR in the first writable
     * byte; used length 1. A buffer that cannot be reached (or wraps) gets used length 0, counted.
     * The commands themselves: CtrlCommandTest, CtrlChainTest.
     */
    @ParameterizedTest
    @CsvSource({"0x50000, 1, 1", "0x50000, 4294967295, 0", "0x7fffffff, 1, 0", "0x80000000, 1, 0",
        "0xffffffff, 1, 0", "0x8000000000000000, 1, 0", "0xffffffffffffffff, 1, 0", "0xffffffffffffffff, 2, 0",
        "0x50000, 0, 0"})
    void controlQueueAck(String addrHex, long len, int usedLen) {
        long addr = Long.parseUnsignedLong(addrHex.substring(2), 16);
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring ctrl = f.new Ring(VirtioNetNic.CTRL, 16, 0x30000);
            f.start(0, ctrl);
            ctrl.desc(0, 0x40000, 2, org.toyvm.core.virtio.SplitRing.DESC_F_NEXT, 1); // class, command
            ctrl.desc(1, addr, (int) len, org.toyvm.core.virtio.SplitRing.DESC_F_WRITE, 0);
            long faults = f.nic.dmaFaults();
            ctrl.publish(0);
            assertEquals(1, ctrl.usedIdx());
            assertEquals(usedLen, ctrl.usedLen(0));
            if (usedLen == 1) {
                assertEquals(1, f.ram.getU8(addr + len - 1));
            } else if (len == 0) {
                assertEquals(faults, f.nic.dmaFaults(), "no writable byte: nothing to answer into");
            } else if ((addr == -1L && len == 2) || len == 0xffff_ffffL) { // wraps; chain total 2 + len > 2^32 - 1
                assertEquals(1, f.nic.counters().chainDrops(ChainError.LENGTH_OVERFLOW));
            } else {
                assertEquals(faults + 1, f.nic.dmaFaults(), "the unreachable ack is a counted DMA fault");
            }
        }
    }
}
