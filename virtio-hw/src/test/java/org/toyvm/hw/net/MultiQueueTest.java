package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.toyvm.hw.net.CvqDriver.bits;
import static org.toyvm.hw.net.CvqDriver.le16;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;

/**
 * Multiqueue (VIRTIO_NET_F_MQ, virtio 1.x §5.1.6.5.5): N pairs plus the control queue at 2N in a group
 * of its own, pair 0 only until VQ_PAIRS_SET and again after a reset, received frames steered by
 * their flow hash among the pairs in use, hostile frames to pair 0 or dropped, never thrown.
 */
class MultiQueueTest {
    private static final int OK = VirtioNet.CTRL_OK;
    private static final int ERR = VirtioNet.CTRL_ERR;
    private static final long MQ = bits(VirtioFeatures.NET_F_CTRL_VQ, VirtioFeatures.NET_F_MQ);
    private static final int PEER_IP = 0x0a000001;
    private static final int GUEST_IP = 0x0a000002;
    /** RX rings of 64 buffers of 1 KiB per pair (up to 4 pairs fill 0x50000..0x90000 of the fixture's 1 MiB). */
    private static final int RX_SIZE = 64;
    private static final int RX_BUF = 1024;

    /** A NIC of {@code pairs} pairs with every RX/TX ring and the control queue set up and started. */
    private static final class Mq implements AutoCloseable {
        final NicFixture f;
        final CvqDriver cvq;
        final NicFixture.Ring[] rx;
        final NicFixture.Ring[] tx;

        Mq(int pairs, long features) {
            this(pairs, features, pairs);
        }

        /** Only the first {@code enabled} pairs' RX queues are set up. */
        Mq(int pairs, long features, int enabled) {
            f = new NicFixture(VirtioNetNic.DEVICE_FEATURES, pairs);
            cvq = new CvqDriver(f);
            rx = new NicFixture.Ring[pairs];
            tx = new NicFixture.Ring[pairs];
            NicFixture.Ring[] all = new NicFixture.Ring[enabled + pairs + 1];
            int n = 0;
            for (int k = 0; k < pairs; k++) {
                rx[k] = f.new Ring(VirtioNet.rxQueue(k), RX_SIZE, 0x10000 + k * 0x1000L);
                tx[k] = f.new Ring(VirtioNet.txQueue(k), 16, 0x20000 + k * 0x1000L);
                if (k < enabled) {
                    all[n++] = rx[k];
                }
                all[n++] = tx[k];
            }
            all[n] = cvq.ring;
            f.start(features, all);
            for (int k = 0; k < enabled; k++) {
                for (int i = 0; i < RX_SIZE; i++) {
                    rx[k].ring.writeDesc(i, org.toyvm.core.addr.Gpa.of(rxBuf(k, i)), RX_BUF,
                            org.toyvm.core.virtio.SplitRing.DESC_F_WRITE, 0);
                    rx[k].ring.add(i);
                }
                rx[k].ring.publish();
                f.nic.kick(rx[k].q);
            }
            f.sched.runUntilIdle();
        }

        static long rxBuf(int pair, int i) {
            return 0x50000 + ((long) pair * RX_SIZE + i) * RX_BUF;
        }

        int setPairs(int n) {
            return cvq.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET, le16(n));
        }

        long[] rxPerPair() {
            long[] c = new long[rx.length];
            for (int k = 0; k < c.length; k++) {
                c[k] = f.nic.counters().pairRxFrames(k);
            }
            return c;
        }

        @Override
        public void close() {
            f.close();
        }
    }

    /** An ICMP echo request from the peer to the guest with identifier {@code id}. */
    static byte[] echo(int id) {
        ByteBuf b = Unpooled.buffer(42);
        b.writeMedium(0x525400).writeMedium(0x123456).writeMedium(0x525400).writeMedium(0x000001);
        b.writeShort(0x0800);
        b.writeByte(0x45).writeByte(0).writeShort(28).writeShort(0).writeShort(0).writeByte(64).writeByte(1)
                .writeShort(0).writeInt(PEER_IP).writeInt(GUEST_IP);
        b.writeByte(8).writeByte(0).writeShort(0).writeShort(id).writeShort(1);
        byte[] a = new byte[b.readableBytes()];
        b.readBytes(a);
        return a;
    }

    static int expectedPair(int id, int pairs) {
        return FlowHash.pairOf(FlowHash.hash(PEER_IP, GUEST_IP, id, 0), pairs);
    }

    @Test
    void queueArrayConfigAndGroupsFollowThePairCount() {
        try (NicFixture f = new NicFixture(VirtioNetNic.DEVICE_FEATURES, 16)) {
            assertEquals(33, f.nic.numQueues());
            assertEquals(32, f.nic.ctrlQueue());
            byte[] pairs = new byte[2];
            f.nic.readConfig(VirtioNet.CONFIG_MAX_VQ_PAIRS, pairs, 0, 2);
            assertArrayEquals(le16(16), pairs, "max_virtqueue_pairs");
            for (int q = 0; q < 32; q++) {
                assertEquals(0, f.nic.vqGroup(q), "data queue " + q);
            }
            assertEquals(1, f.nic.vqGroup(32), "the control queue in its own group");
            assertTrue(VirtioFeatures.has(f.nic.deviceFeatures(), VirtioFeatures.NET_F_MQ));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 17, -1})
    void pairCountOutOfRangeIsRefused(int pairs) {
        assertThrows(IllegalArgumentException.class, () -> new NicFixture(VirtioNetNic.DEVICE_FEATURES, pairs));
    }

    @Test
    void pairZeroOnlyUntilVqPairsSetThenFlowsSpreadByHash() {
        try (Mq m = new Mq(4, MQ)) {
            for (int id = 0; id < 8; id++) {
                m.f.sendFromWire(echo(id));
            }
            assertArrayEquals(new long[] {8, 0, 0, 0}, m.rxPerPair(), "§5.1.6.5.5: pair 0 until VQ_PAIRS_SET");
            assertEquals(OK, m.setPairs(4));
            assertEquals(4, m.f.nic.rxFilter().activePairs());
            long[] want = {8, 0, 0, 0};
            for (int id = 100; id < 140; id++) {
                m.f.sendFromWire(echo(id));
                want[expectedPair(id, 4)]++;
            }
            assertArrayEquals(want, m.rxPerPair());
            for (int k = 0; k < 4; k++) {
                assertTrue(want[k] > 8 * (k == 0 ? 1 : 0), "pair " + k + " carries some of 40 flows");
                assertEquals((int) want[k], m.rx[k].usedIdx(), "pair " + k + "'s own RX ring");
            }
            // The same flow always lands on the same pair.
            int p = expectedPair(7, 4);
            long before = m.f.nic.counters().pairRxFrames(p);
            m.f.sendFromWire(echo(7));
            m.f.sendFromWire(echo(7));
            assertEquals(before + 2, m.f.nic.counters().pairRxFrames(p));
            // Fewer pairs in use: the hash is taken modulo the new count.
            assertEquals(OK, m.setPairs(2));
            long[] b = m.rxPerPair();
            for (int id = 200; id < 220; id++) {
                m.f.sendFromWire(echo(id));
                b[expectedPair(id, 2)]++;
            }
            assertArrayEquals(b, m.rxPerPair());
            assertEquals(0, m.f.nic.counters().rxDroppedQueueDisabled());
        }
    }

    @Test
    void vqPairsSetOutOfRangeIsErrAndChangesNothing() {
        try (Mq m = new Mq(4, MQ)) {
            assertEquals(OK, m.setPairs(3));
            for (int bad : new int[] {0, 5, 16, 0x8000, 0x8001, 0xffff}) {
                assertEquals(ERR, m.setPairs(bad), "pairs " + bad);
                assertEquals(3, m.f.nic.rxFilter().activePairs(), "unchanged after " + bad);
            }
            assertEquals(OK, m.setPairs(4), "N itself is in range");
            assertEquals(ERR, m.cvq.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET, new byte[] {2}),
                    "a one-byte le16 is malformed");
            assertEquals(4, m.f.nic.rxFilter().activePairs());
        }
        try (Mq m = new Mq(4, bits(VirtioFeatures.NET_F_CTRL_VQ))) {
            assertEquals(ERR, m.setPairs(2), "MQ not negotiated");
            assertEquals(1, m.f.nic.rxFilter().activePairs());
        }
    }

    @Test
    void theListenerHearsEachAppliedVqPairsSetAndNothingElse() {
        try (Mq m = new Mq(4, MQ)) {
            java.util.List<String> heard = new java.util.ArrayList<>();
            m.f.nic.setQueuePairsListener((from, to) -> heard.add(from + "->" + to));
            assertEquals(OK, m.setPairs(4));
            assertEquals(OK, m.setPairs(4));
            assertEquals(ERR, m.setPairs(5), "out of range: not applied, not reported");
            assertEquals(OK, m.setPairs(2));
            m.f.nic.reset();
            assertEquals(java.util.List.of("1->4", "4->4", "4->2"), heard, "a reset is not a VQ_PAIRS_SET");
        }
    }

    @Test
    void resetReturnsToOnePair() {
        try (Mq m = new Mq(4, MQ)) {
            assertEquals(OK, m.setPairs(4));
            m.f.nic.reset();
            assertEquals(1, m.f.nic.rxFilter().activePairs(), "QEMU virtio_net_reset: curr_queue_pairs = 1");
            // A fresh start with the same rings (their buffers still posted): every flow on pair 0 again.
            m.f.nic.setDriverFeatures(MQ | VirtioFeatures.bit(VirtioFeatures.F_VERSION_1));
            for (NicFixture.Ring r : m.rx) {
                r.setUp();
            }
            m.f.nic.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                    | VirtioStatus.DRIVER_OK);
            m.f.sched.runUntilIdle();
            long[] before = m.rxPerPair();
            for (int id = 0; id < 10; id++) {
                m.f.sendFromWire(echo(id));
            }
            before[0] += 10;
            assertArrayEquals(before, m.rxPerPair());
        }
    }

    @Test
    void aFrameSteeredToAPairNotEnabledIsDroppedAndCounted() {
        try (Mq m = new Mq(4, MQ, 1)) {
            assertEquals(OK, m.setPairs(4)); // the driver enabled 4 pairs but set up only pair 0's RX queue
            long toOthers = 0;
            for (int id = 0; id < 40; id++) {
                m.f.sendFromWire(echo(id));
                toOthers += expectedPair(id, 4) == 0 ? 0 : 1;
            }
            assertTrue(toOthers > 0);
            assertEquals(toOthers, m.f.nic.counters().rxDroppedQueueDisabled());
            assertEquals(40 - toOthers, m.f.nic.counters().pairRxFrames(0));
        }
    }

    @Test
    void everyEnabledPairTransmits() {
        try (Mq m = new Mq(4, MQ)) {
            for (int k = 0; k < 4; k++) {
                long gpa = 0xa0000 + k * 0x1000L;
                m.f.putTxBuffer(gpa, echo(k));
                m.tx[k].publish(m.tx[k].single(gpa, 12 + 42, false));
                assertEquals(1, m.f.nic.counters().pairTxFrames(k), "pair " + k);
            }
            assertEquals(4, m.f.received.size());
            assertEquals(4, m.f.nic.counters().txFrames());
        }
    }

    @Test
    void hostileFramesGoToPairZeroOrAreDroppedNeverThrow() {
        byte[] arp = echo(1);
        arp[12] = 0x08;
        arp[13] = 0x06;
        byte[] ethOnly = java.util.Arrays.copyOf(echo(1), 14);
        byte[] truncatedIp = java.util.Arrays.copyOf(echo(1), 14 + 19);
        byte[] bigIhl = echo(1);
        bigIhl[14] = 0x4f; // IHL 60 bytes, the frame has 28
        byte[] smallIhl = echo(1);
        smallIhl[14] = 0x44;
        byte[] ipv6 = echo(1);
        ipv6[14] = 0x65;
        for (byte[] f : new byte[][] {arp, ethOnly, truncatedIp, bigIhl, smallIhl, ipv6}) {
            assertEquals(0, FlowHash.pairOf(Unpooled.wrappedBuffer(f), 16));
        }
        // An echo cut short before its identifier, and a later fragment: hashed on the addresses alone.
        byte[] shortIcmp = java.util.Arrays.copyOf(echo(99), 14 + 20 + 5);
        byte[] fragment = echo(99);
        fragment[14 + 6] = 0x00;
        fragment[14 + 7] = 0x10;
        int addrsOnly = expectedPair(0, 16);
        assertEquals(addrsOnly, FlowHash.pairOf(Unpooled.wrappedBuffer(shortIcmp), 16));
        assertEquals(addrsOnly, FlowHash.pairOf(Unpooled.wrappedBuffer(fragment), 16));
        try (Mq m = new Mq(4, MQ)) {
            assertEquals(OK, m.setPairs(4));
            for (byte[] f : new byte[][] {arp, ethOnly, truncatedIp, bigIhl, smallIhl, ipv6}) {
                m.f.sendFromWire(f);
            }
            assertEquals(6, m.f.nic.counters().pairRxFrames(0), "non-IPv4 and broken IPv4 to pair 0");
            m.f.sendFromWire(new byte[5]); // a runt: dropped by the MAC before any steering matters
            m.f.sendFromWire(new byte[0]);
            assertEquals(2, m.f.nic.counters().rxDroppedBadLength());
            assertEquals(6, m.f.nic.counters().rxFrames());
        }
    }

    @Test
    void onePairNicSteersNothing() {
        try (NicFixture f = new NicFixture()) {
            assertEquals(1, f.nic.queuePairs());
            assertEquals(3, f.nic.numQueues());
            assertEquals(VirtioNetNic.CTRL, f.nic.ctrlQueue());
            for (int id = 0; id < 16; id++) {
                assertEquals(0, FlowHash.pairOf(Unpooled.wrappedBuffer(echo(id)), 1));
            }
        }
    }
}
