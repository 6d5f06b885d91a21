package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;

/**
 * A hostile guest (and a misbehaving device) against a shadowed data queue. Every case has its
 * outcome: the ring broken with QEMU's virtio_error reason (nothing more popped or pushed, the
 * handler told once), the chain returned with length 0 (untranslatable, oversized), or a bad used
 * element skipped; never an exception, and the queue still stops cleanly.
 */
class ShadowDataVqHostileTest {
    private static final long RING = 0x10000;
    private static final long BUF = 0x100000;
    private static final long TABLE = 0x80000;
    private static final int SIZE = 8;

    private final SvqFixture f = new SvqFixture();
    private final DriverRing g = f.guestRing(SIZE, RING);
    private final ShadowDataVq svq = f.svq(SvqFixture.TX);
    private final List<String> errors = new ArrayList<>();
    private final List<Integer> notified = new ArrayList<>();

    private static Gpa buf(int i) {
        return Gpa.of(BUF + 0x1000L * i);
    }

    private void start(QueueConfig q) {
        svq.setBrokenHandler(errors::add);
        svq.setGuestNotifier(notified::add);
        svq.start(q, 0, f.shadowIova(), 0);
    }

    private void start() {
        start(SvqFixture.queue(SvqFixture.TX, g));
    }

    private void table(int i, Gpa addr, long len, int flags, int next) {
        long at = TABLE + SplitRing.desc(i);
        f.ram.putU64(at + SplitRing.DESC_ADDR, addr.value());
        f.ram.putU32(at + SplitRing.DESC_LEN, (int) len);
        f.ram.putU16(at + SplitRing.DESC_FLAGS, (short) flags);
        f.ram.putU16(at + SplitRing.DESC_NEXT, (short) next);
    }

    /** The guest makes {@code head} available and kicks; the ring must then be broken with {@code reason}. */
    private void breaksWith(int head, String reason) {
        g.offer(head);
        svq.guestKick();
        assertBroken(reason);
    }

    private void assertBroken(String reason) {
        assertTrue(svq.broken(), "broken");
        assertTrue(svq.brokenReason().startsWith(reason), svq.brokenReason());
        assertEquals(List.of(svq.brokenReason()), errors, "virtio_error handler told once");
        assertEquals(0, svq.forwarded(), "nothing forwarded");
        // nothing more happens: a good chain after it is not popped, a kick does nothing
        g.writeDesc(7, buf(7), 64, 0, 0);
        g.offer(7);
        svq.guestKick();
        assertEquals(0, svq.forwarded());
        assertEquals(1, errors.size());
        int used = g.usedIdx();
        assertFalse(svq.deviceCall());
        assertEquals(used, g.usedIdx(), "nothing written to the guest's used ring");
        svq.stop(); // and the stop still unmaps
        assertEquals(1, f.tree.size());
    }

    @Test
    void availIndexMoreThanTheSizeAhead() {
        start();
        g.forceAvailIdx(SIZE + 1);
        svq.guestKick();
        assertBroken("Guest moved used index from 0 to 9");
    }

    @Test
    void headPastTheQueue() {
        start();
        breaksWith(SIZE, "Guest says index 8 is available");
    }

    @Test
    void headFarPastTheQueueReadUnsigned() {
        start();
        breaksWith(0xffff, "Guest says index 65535 is available");
    }

    @Test
    void nextPastTheQueue() {
        start();
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_NEXT, 0xfff0);
        breaksWith(0, "Desc next is 65520");
    }

    @Test
    void aLoopedChain() {
        start();
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_NEXT, 1);
        g.writeDesc(1, buf(1), 64, SplitRing.DESC_F_NEXT, 0);
        breaksWith(0, "Looped descriptor");
    }

    @Test
    void aReadableDescriptorAfterAWritableOne() {
        start();
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1);
        g.writeDesc(1, buf(1), 64, 0, 0);
        breaksWith(0, "Incorrect order for descriptors");
    }

    @Test
    void aZeroLengthBuffer() {
        start();
        g.writeDesc(0, buf(0), 0, 0, 0);
        breaksWith(0, "virtio: zero sized buffers are not allowed");
    }

    @Test
    void aBufferOutsideRam() {
        start();
        g.writeDesc(0, Gpa.of(SvqFixture.RAM + 0x1000), 64, 0, 0);
        breaksWith(0, "virtio: bogus descriptor");
    }

    @Test
    void aBufferRunningPast2To64() {
        start();
        g.writeDesc(0, Gpa.of(0xffff_ffff_ffff_f000L), 0xffff_ffff, 0, 0);
        breaksWith(0, "virtio: bogus descriptor");
    }

    @Test
    void aWritableBufferInRom() {
        start();
        g.writeDesc(0, Gpa.of(SvqFixture.ROM), 64, SplitRing.DESC_F_WRITE, 0);
        breaksWith(0, "virtio: bogus descriptor");
    }

    @Test
    void anIndirectTableOfLengthZero() {
        start();
        g.writeDesc(0, Gpa.of(TABLE), 0, SplitRing.DESC_F_INDIRECT, 0);
        breaksWith(0, "Invalid size for indirect buffer table");
    }

    @Test
    void anIndirectTableWhoseLengthIsNotWholeDescriptors() {
        start();
        g.writeDesc(0, Gpa.of(TABLE), 24, SplitRing.DESC_F_INDIRECT, 0);
        breaksWith(0, "Invalid size for indirect buffer table");
    }

    @Test
    void anIndirectTableOutsideRam() {
        start();
        g.writeDesc(0, Gpa.of(SvqFixture.RAM - 16), 32, SplitRing.DESC_F_INDIRECT, 0);
        breaksWith(0, "Cannot map indirect buffer");
    }

    @Test
    void aNextPastTheIndirectTable() {
        start();
        table(0, buf(0), 64, SplitRing.DESC_F_NEXT, 2);
        g.writeDesc(0, Gpa.of(TABLE), 2 * SplitRing.DESC_SIZE, SplitRing.DESC_F_INDIRECT, 0);
        breaksWith(0, "Desc next is 2");
    }

    @Test
    void aLoopInsideTheIndirectTable() {
        start();
        table(0, buf(0), 64, SplitRing.DESC_F_NEXT, 1);
        table(1, buf(1), 64, SplitRing.DESC_F_NEXT, 0);
        g.writeDesc(0, Gpa.of(TABLE), 2 * SplitRing.DESC_SIZE, SplitRing.DESC_F_INDIRECT, 0);
        breaksWith(0, "Looped descriptor");
    }

    @Test
    void moreChainsInUseThanTheQueueHolds() {
        start();
        for (int k = 0; k < SIZE; k++) {
            g.writeDesc(k, buf(k), 64, 0, 0);
            g.add(k);
        }
        g.publish();
        svq.guestKick();
        assertEquals(SIZE, svq.forwarded());
        g.offer(0); // head 0 again while in flight: one pending, SIZE in use
        svq.guestKick();
        assertTrue(svq.broken());
        assertEquals("Virtqueue size exceeded", svq.brokenReason());
        assertEquals(SIZE, svq.forwarded());
        assertEquals(1, errors.size());
    }

    @Test
    void theAvailRingOutsideRam() {
        start(new QueueConfig(SvqFixture.TX, SIZE, Gpa.of(RING), Gpa.of(SvqFixture.RAM + 0x100), Gpa.of(RING + 0x1000),
                true));
        assertBroken("avail ring not in RAM");
    }

    @Test
    void theUsedRingInRom() {
        start(new QueueConfig(SvqFixture.TX, SIZE, g.layout().desc(), g.layout().avail(), Gpa.of(SvqFixture.ROM), true));
        // NO_NOTIFY cannot be written when the kick turns guest kicks off
        g.writeDesc(0, buf(0), 64, 0, 0);
        breaksWith(0, "used ring not in writable RAM");
    }

    @Test
    void aQueueSizeThatIsNotAPowerOfTwoIsNotStarted() {
        svq.setBrokenHandler(errors::add);
        svq.start(new QueueConfig(SvqFixture.TX, 6, g.layout().desc(), g.layout().avail(), g.layout().used(), true), 0,
                f.shadowIova(), 0);
        assertTrue(svq.broken());
        assertFalse(svq.started());
        assertEquals(List.of(), f.events, "no ioctl, nothing mapped");
        assertEquals(1, errors.size());
        assertEquals(0, svq.stop(), "the base given");
    }

    @Test
    void indirectOnALaterDescriptorIsAPlainBufferAsInVirtqueueSplitPop() {
        start();
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_NEXT, 1);
        g.writeDesc(1, buf(1), 32, SplitRing.DESC_F_INDIRECT, 0);
        g.offer(0);
        svq.guestKick();
        assertFalse(svq.broken());
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        List<SvqDevice.Chain> cs = d.popAll();
        long ram = f.ramIova.value();
        assertEquals(List.of(new SvqDevice.Desc(ram + buf(0).value(), 64, false),
                new SvqDevice.Desc(ram + buf(1).value(), 32, false)), cs.get(0).descs());
    }

    @Test
    void aNestedIndirectEntryIsAPlainBuffer() {
        start();
        table(0, buf(0), 48, SplitRing.DESC_F_INDIRECT, 0);
        g.writeDesc(0, Gpa.of(TABLE), SplitRing.DESC_SIZE, SplitRing.DESC_F_INDIRECT, 0);
        g.offer(0);
        svq.guestKick();
        assertFalse(svq.broken());
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        assertEquals(List.of(new SvqDevice.Desc(f.ramIova.value() + buf(0).value(), 48, false)),
                d.popAll().get(0).descs());
    }

    @Test
    void anUntranslatableBufferIsReturnedUnforwardedWithLengthZero() {
        svq.setGuestNotifier(notified::add);
        svq.start(SvqFixture.queue(SvqFixture.TX, g), 0, (gpa, len) -> gpa.value() == buf(1).value() ? null
                : f.ramIova.plus(gpa.value()), 0);
        g.writeDesc(0, buf(0), 64, 0, 0);
        g.writeDesc(1, buf(1), 64, 0, 0);
        g.writeDesc(2, buf(2), 64, 0, 0);
        g.add(0);
        g.add(1);
        g.add(2);
        g.publish();
        svq.guestKick();
        assertFalse(svq.broken());
        assertEquals(1, svq.untranslatable());
        assertEquals(2, svq.forwarded(), "the chains around it go on");
        assertEquals(1, g.usedIdx());
        assertEquals(1, g.usedId(0));
        assertEquals(0, g.usedLen(0));
        assertEquals(List.of(SvqFixture.TX), notified, "the guest is told of the returned chain");
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        List<SvqDevice.Chain> cs = d.popAll();
        assertEquals(2, cs.size());
        cs.forEach(c -> d.use(c, 0));
        svq.deviceCall();
        assertEquals(3, g.usedIdx());
        assertEquals(3, svq.stop(), "every chain accounted for: the migrated index is the used index");
    }

    @Test
    void aChainLargerThanTheWholeShadowRingIsReturnedWithLengthZero() {
        start();
        for (int k = 0; k < SIZE + 1; k++) {
            table(k, buf(k), 64, k < SIZE ? SplitRing.DESC_F_NEXT : 0, k + 1);
        }
        g.writeDesc(0, Gpa.of(TABLE), (SIZE + 1) * SplitRing.DESC_SIZE, SplitRing.DESC_F_INDIRECT, 0);
        g.writeDesc(1, buf(20), 64, 0, 0);
        g.add(0);
        g.add(1);
        g.publish();
        svq.guestKick();
        assertEquals(1, svq.oversized());
        assertEquals(1, svq.forwarded());
        assertEquals(0, g.usedId(0));
        assertEquals(0, g.usedLen(0));
        assertFalse(svq.broken());
    }

    @Test
    void usedElementsWithBadIdsFromTheDeviceAreSkipped() {
        start();
        g.writeDesc(0, buf(0), 64, 0, 0);
        g.offer(0);
        svq.guestKick();
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        SvqDevice.Chain c = d.popAll().get(0);
        d.useRaw(SIZE, 5); // past the ring
        d.useRaw(3, 5); // not in flight
        d.useRaw(-1, 5); // id 0xffffffff
        d.use(c, 7);
        d.use(c, 7); // twice
        assertTrue(svq.deviceCall());
        assertEquals(4, svq.deviceErrors());
        assertEquals(1, g.usedIdx());
        assertEquals(0, g.usedId(0));
        assertEquals(7, g.usedLen(0));
    }

    @Test
    void anOutcomeForEveryDescriptorContent() {
        // every flag combination, addresses and lengths at the edges: each case broken, forwarded or
        // returned, never an exception; the stop answers the index the ring got to
        long[] addrs = {0, BUF, SvqFixture.SPLIT - 1, SvqFixture.RAM - 1, SvqFixture.ROM, -1L, Long.MIN_VALUE};
        long[] lens = {0, 1, 0x7fff_ffffL, 0xffff_ffffL};
        int[] nexts = {0, 1, SIZE - 1, SIZE, 0xffff};
        int cases = 0;
        int broken = 0;
        for (long a : addrs) {
            for (long l : lens) {
                for (int flags = 0; flags < 8; flags++) {
                    for (int n : nexts) {
                        int base = g.availIdx();
                        ShadowDataVq q = f.svq(0);
                        q.start(SvqFixture.queue(0, g), base, f.shadowIova(), 0);
                        g.writeDesc(0, Gpa.of(a), (int) l, flags, n);
                        g.writeDesc(1, buf(1), 64, 0, 0);
                        table(0, buf(2), 64, 0, 0);
                        g.offer(0);
                        q.guestKick();
                        String what = a + "/" + l + "/" + flags + "/" + n;
                        assertEquals(1, (q.broken() ? 1 : 0) + q.forwarded() + q.returned(), "one outcome for " + what);
                        int expected = q.broken() || q.returned() == 1 ? base + 1 : base;
                        assertEquals(expected & 0xffff, q.stop(), what);
                        assertEquals(1, f.tree.size(), what);
                        broken += q.broken() ? 1 : 0;
                        cases++;
                    }
                }
            }
        }
        assertEquals(7 * 4 * 8 * 5, cases);
        assertTrue(broken > 0 && broken < cases, "both kinds of outcome occur: " + broken);
    }
}
