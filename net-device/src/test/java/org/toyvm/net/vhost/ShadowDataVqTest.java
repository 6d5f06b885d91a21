package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;

/**
 * A shadowed data queue end to end: the guest's DriverRing in guest RAM, {@link ShadowDataVq} in the
 * middle, virtio-hw's device engine reading the shadow ring through the parent's IOTLB translations.
 */
class ShadowDataVqTest {
    private static final long RING = 0x10000;
    private static final long BUF = 0x100000;

    private final SvqFixture f = new SvqFixture();

    private static Gpa buf(int i) {
        return Gpa.of(BUF + 0x1000L * i);
    }

    @Test
    void startGivesTheDeviceTheShadowRingMappedInTheRingAsid() {
        DriverRing g = f.guestRing(256, RING);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 0, f.shadowIova(), 0);
        long drv = svq.driverAreaIova().value();
        long devArea = svq.deviceAreaIova().value();
        assertEquals(List.of("SET_VRING_NUM(vq 0)", "SET_VRING_BASE(vq 0)", "SET_VRING_KICK(vq 0)", "SET_VRING_CALL(vq 0)",
                "UPDATE asid 0 iova 0x" + Long.toHexString(drv) + " size 0x2000 ro",
                "UPDATE asid 0 iova 0x" + Long.toHexString(devArea) + " size 0x1000",
                "SET_VRING_ADDR(vq 0)"), f.events);
        assertEquals(0, f.hw.vqBase(0), "the device starts the shadow ring at 0");
        assertTrue(drv >= f.ramIova.value() + SvqFixture.RAM, "rings above guest RAM in the tree");
        assertEquals(3, f.tree.size());
    }

    @Test
    void txAndRxChainsKeepTheirShapeAndComeBackWithTheGuestsIdsAndTheDevicesLengths() {
        DriverRing g = f.guestRing(16, RING);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 0, f.shadowIova(), 0);
        // head 5: header (readable) + data (readable); head 9: one writable buffer; head 3: out then in
        g.writeDesc(5, buf(0), 12, SplitRing.DESC_F_NEXT, 6);
        g.writeDesc(6, buf(1), 1500, 0, 0);
        g.writeDesc(9, buf(2), 2048, SplitRing.DESC_F_WRITE, 0);
        g.writeDesc(3, buf(3), 64, SplitRing.DESC_F_NEXT, 4);
        g.writeDesc(4, buf(4), 128, SplitRing.DESC_F_WRITE, 0);
        g.add(5);
        g.add(9);
        g.add(3);
        g.publish();
        svq.guestKick();
        assertEquals(3, svq.forwarded());
        assertEquals(3, f.kicks(SvqFixture.RX), "vhost_svq_add kicks after each chain");
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        List<SvqDevice.Chain> cs = d.popAll();
        assertEquals(3, cs.size());
        long base = f.ramIova.value();
        assertEquals(List.of(new SvqDevice.Desc(base + buf(0).value(), 12, false),
                new SvqDevice.Desc(base + buf(1).value(), 1500, false)), cs.get(0).descs());
        assertEquals(List.of(new SvqDevice.Desc(base + buf(2).value(), 2048, true)), cs.get(1).descs());
        assertEquals(List.of(new SvqDevice.Desc(base + buf(3).value(), 64, false),
                new SvqDevice.Desc(base + buf(4).value(), 128, true)), cs.get(2).descs());
        assertEquals(3, svq.inFlight());
        // the device returns the rx chain first, having written 60 bytes into it, then the others
        byte[] frame = new byte[60];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i + 1);
        }
        d.write(cs.get(1), frame);
        d.use(cs.get(1), 60);
        d.use(cs.get(0), 0);
        d.use(cs.get(2), 100);
        assertTrue(svq.deviceCall());
        assertEquals(3, g.usedIdx());
        assertEquals(9, g.usedId(0));
        assertEquals(60, g.usedLen(0));
        assertEquals(5, g.usedId(1));
        assertEquals(0, g.usedLen(1));
        assertEquals(3, g.usedId(2));
        assertEquals(100, g.usedLen(2));
        byte[] got = new byte[60];
        f.ram.read(buf(2).value(), got, 0, 60);
        assertArrayEquals(frame, got, "the device wrote into the guest's buffer itself");
        assertEquals(0, svq.inFlight());
        assertFalse(svq.deviceCall(), "nothing new: no notification");
    }

    @Test
    void aBufferAcrossTwoRamSectionsBecomesTwoShadowDescriptorsAsVirtqueueMapDescSplitsIt() {
        DriverRing g = f.guestRing(8, RING);
        ShadowDataVq svq = f.svq(SvqFixture.TX);
        svq.start(SvqFixture.queue(SvqFixture.TX, g), 0, f.shadowIova(), 0);
        g.writeDesc(0, Gpa.of(SvqFixture.SPLIT - 100), 300, 0, 0);
        g.offer(0);
        svq.guestKick();
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        List<SvqDevice.Chain> cs = d.popAll();
        long at = f.ramIova.value() + SvqFixture.SPLIT;
        assertEquals(List.of(new SvqDevice.Desc(at - 100, 100, false), new SvqDevice.Desc(at, 200, false)),
                cs.get(0).descs());
        d.use(cs.get(0), 0);
        svq.deviceCall();
        assertEquals(0, g.usedId(0));
    }

    @Test
    void indexesWrapAt65536OnBothRings() {
        DriverRing g = f.guestRing(8, RING);
        g.forceAvailIdx(65530);
        int base = 65530;
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), base, f.shadowIova(), 0);
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        // 70000 chains through the shadow ring (its own index wraps too), 4 at a time
        int rounds = 17500;
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 4; k++) {
                g.writeDesc(k, buf(k), 256, SplitRing.DESC_F_WRITE, 0);
                g.add(k);
            }
            g.publish();
            svq.guestKick();
            List<SvqDevice.Chain> cs = d.popAll();
            assertEquals(4, cs.size());
            for (int k = 3; k >= 0; k--) {
                d.use(cs.get(k), 10 * r + k & 0xfff);
            }
            svq.deviceCall();
            int used = (base + 4 * (r + 1)) & 0xffff;
            assertEquals(used, g.usedIdx(), "round " + r);
            for (int k = 0; k < 4; k++) {
                assertEquals(3 - k, g.usedId(used - 4 + k));
                assertEquals(10 * r + (3 - k) & 0xfff, g.usedLen(used - 4 + k));
            }
        }
        assertEquals(rounds * 4L, svq.forwarded());
        assertEquals((base + rounds * 4) & 0xffff, svq.stop());
    }

    @Test
    void stopRewindsWhatIsInFlightToTheGuestsUsedIndexAndUnmapsTheRings() {
        DriverRing g = f.guestRing(16, RING);
        int base = 65534;
        g.forceAvailIdx(base);
        ShadowDataVq svq = f.svq(SvqFixture.TX);
        svq.start(SvqFixture.queue(SvqFixture.TX, g), base, f.shadowIova(), 0);
        String driverUpdate = f.events.get(4).replace("UPDATE", "INVALIDATE").replace(" ro", "");
        String deviceUpdate = f.events.get(5).replace("UPDATE", "INVALIDATE");
        for (int k = 0; k < 5; k++) {
            g.writeDesc(k, buf(k), 100 + k, 0, 0);
            g.add(k);
        }
        g.publish();
        svq.guestKick();
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        List<SvqDevice.Chain> cs = d.popAll();
        d.use(cs.get(0), 0);
        d.use(cs.get(1), 0); // used by the device, not yet flushed when the stop comes
        f.events.clear();
        int migrated = svq.stop();
        assertEquals((base + 2) & 0xffff, migrated, "last_avail_idx after the unpop of the three in flight");
        assertEquals(migrated, g.usedIdx(), "equal to the guest's used index: the stop flushed the two used");
        assertEquals(List.of(driverUpdate, deviceUpdate), f.events, "rings unmapped, driver area then device area");
        assertEquals(1, f.tree.size(), "only guest RAM left in the tree");
        assertFalse(svq.started());
        // the destination (or the passthrough restart) continues at that base: the three come again
        f.events.clear();
        svq.start(SvqFixture.queue(SvqFixture.TX, g), migrated, f.shadowIova(), 0);
        SvqDevice d2 = new SvqDevice(f, svq, 0, 0, false);
        List<SvqDevice.Chain> again = d2.popAll();
        assertEquals(3, again.size());
        long ram = f.ramIova.value();
        for (int k = 0; k < 3; k++) {
            assertEquals(new SvqDevice.Desc(ram + buf(k + 2).value(), 102 + k, false), again.get(k).descs().get(0));
            d2.use(again.get(k), 0);
        }
        svq.deviceCall();
        assertEquals((base + 5) & 0xffff, g.usedIdx());
        assertEquals(2, g.usedId(base + 2));
        assertEquals(4, g.usedId(base + 4));
        assertEquals((base + 5) & 0xffff, svq.stop());
    }

    @Test
    void aChainThatDoesNotFitWaitsUntilTheDeviceReturnsSome() {
        DriverRing g = f.guestRing(8, RING);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 0, f.shadowIova(), 0);
        // head 0: an indirect table of 6 writable buffers; heads 1..3 one buffer each: 9 pieces > 8 slots
        long table = 0x80000;
        for (int k = 0; k < 6; k++) {
            writeTableDesc(table, k, buf(k), 64, SplitRing.DESC_F_WRITE | (k < 5 ? SplitRing.DESC_F_NEXT : 0), k + 1);
        }
        g.writeDesc(0, Gpa.of(table), 6 * SplitRing.DESC_SIZE, SplitRing.DESC_F_INDIRECT, 0);
        for (int k = 1; k <= 3; k++) {
            g.writeDesc(k, buf(10 + k), 64, SplitRing.DESC_F_WRITE, 0);
        }
        for (int k = 0; k <= 3; k++) {
            g.add(k);
        }
        g.publish();
        svq.guestKick();
        assertEquals(3, svq.forwarded(), "the fourth waits (-ENOSPC)");
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        List<SvqDevice.Chain> cs = d.popAll();
        assertEquals(6, cs.get(0).descs().size(), "the indirect chain flattened, one descriptor per entry");
        svq.guestKick();
        assertEquals(3, svq.forwarded(), "a kick while full changes nothing");
        d.use(cs.get(1), 1);
        svq.deviceCall();
        assertEquals(4, svq.forwarded(), "the waiting chain went out once room was made");
        List<SvqDevice.Chain> more = d.popAll();
        assertEquals(1, more.size());
        assertEquals(f.ramIova.value() + buf(13).value(), more.get(0).descs().get(0).iova());
        // a stop now unpops the waiting one too: none is waiting, three in flight
        assertEquals(1, svq.stop());
    }

    @Test
    void theWaitingChainIsUnpoppedAtStop() {
        DriverRing g = f.guestRing(4, RING);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 0, f.shadowIova(), 0);
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1);
        g.writeDesc(1, buf(1), 64, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 2);
        g.writeDesc(2, buf(2), 64, SplitRing.DESC_F_WRITE, 0);
        long table = 0x80000;
        writeTableDesc(table, 0, buf(3), 64, SplitRing.DESC_F_WRITE | SplitRing.DESC_F_NEXT, 1);
        writeTableDesc(table, 1, buf(4), 64, SplitRing.DESC_F_WRITE, 0);
        g.writeDesc(3, Gpa.of(table), 2 * SplitRing.DESC_SIZE, SplitRing.DESC_F_INDIRECT, 0);
        g.add(0);
        g.add(3);
        g.publish();
        svq.guestKick();
        assertEquals(1, svq.forwarded());
        assertEquals(0, svq.stop(), "both unpopped: one in flight, one waiting");
    }

    private void writeTableDesc(long table, int i, Gpa addr, int len, int flags, int next) {
        long at = table + SplitRing.desc(i);
        f.ram.putU64(at + SplitRing.DESC_ADDR, addr.value());
        f.ram.putU32(at + SplitRing.DESC_LEN, len);
        f.ram.putU16(at + SplitRing.DESC_FLAGS, (short) flags);
        f.ram.putU16(at + SplitRing.DESC_NEXT, (short) next);
    }

    @Test
    void withDescriptorAsidTheRingsGoToTheirAsidAndTheBuffersStayAtIovaEqualsGpa() {
        // guest RAM at IOVA = GPA in ASID 0 (the passthrough listener's mapping, kept), not at tree IOVAs
        assertTrue(f.ops.dmaUnmap(0, f.ramIova, SvqFixture.RAM));
        assertTrue(f.ops.dmaMap(0, org.toyvm.core.addr.Iova.of(0), SvqFixture.SPLIT, f.ram.base(), false));
        DriverRing g = f.guestRing(8, RING);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        f.events.clear();
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 0, GuestIova.identity(), 1);
        assertTrue(f.events.get(4).startsWith("UPDATE asid 1 "));
        assertTrue(f.events.get(5).startsWith("UPDATE asid 1 "));
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_WRITE, 0);
        g.offer(0);
        svq.guestKick();
        SvqDevice d = new SvqDevice(f, svq, 1, 0, false);
        List<SvqDevice.Chain> cs = d.popAll();
        assertEquals(buf(0).value(), cs.get(0).descs().get(0).iova());
        d.write(cs.get(0), new byte[] {42});
        d.use(cs.get(0), 1);
        assertTrue(svq.deviceCall());
        assertEquals(42, f.ram.getU8(buf(0).value()));
        f.events.clear();
        svq.stop();
        assertTrue(f.events.stream().allMatch(e -> e.startsWith("INVALIDATE asid 1 ")), f.events.toString());
    }

    @Test
    void whatTheGuestMadeAvailableBeforeTheSwitchIsForwardedAtStart() {
        DriverRing g = f.guestRing(8, RING);
        g.forceAvailIdx(100);
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_WRITE, 0);
        g.setAvailEntry(100, 0);
        g.writeDesc(1, buf(1), 64, SplitRing.DESC_F_WRITE, 0);
        g.setAvailEntry(101, 1);
        g.forceAvailIdx(102);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 100, f.shadowIova(), 0);
        assertEquals(2, svq.forwarded(), "vhost_svq_set_svq_kick_fd sets the kick: pending chains go at once");
        assertEquals(2, f.kicks(SvqFixture.RX));
    }

    @Test
    void withoutKickNowThePendingChainsWaitForTheCallersKick() {
        DriverRing g = f.guestRing(8, RING);
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_WRITE, 0);
        g.offer(0);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 0, f.shadowIova(), 0, 0L, false);
        assertEquals(0, svq.forwarded(), "the forced first kick is left to the caller");
        assertEquals(0, f.kicks(SvqFixture.RX));
        svq.guestKick();
        assertEquals(1, svq.forwarded());
    }

    @Test
    void theDeviceIsNotKickedWhenItAsksNotToBe() {
        DriverRing g = f.guestRing(8, RING);
        ShadowDataVq svq = f.svq(SvqFixture.TX);
        svq.start(SvqFixture.queue(SvqFixture.TX, g), 0, f.shadowIova(), 0);
        // the device sets NO_NOTIFY in the shadow used ring (through its DMA view)
        assertTrue(f.dma.writeU16(0, svq.deviceAreaIova().value() + SplitRing.USED_FLAGS, SplitRing.USED_F_NO_NOTIFY,
                true));
        g.writeDesc(0, buf(0), 64, 0, 0);
        g.offer(0);
        svq.guestKick();
        assertEquals(1, svq.forwarded());
        assertEquals(0, f.kicks(SvqFixture.TX));
        assertEquals(0, svq.deviceKicks());
    }

    @Test
    void guestKicksAreReenabledAfterAKick() {
        DriverRing g = f.guestRing(8, RING);
        ShadowDataVq svq = f.svq(SvqFixture.TX);
        svq.start(SvqFixture.queue(SvqFixture.TX, g), 0, f.shadowIova(), 0);
        g.writeDesc(0, buf(0), 64, 0, 0);
        g.offer(0);
        svq.guestKick();
        assertEquals(0, g.usedFlags() & SplitRing.USED_F_NO_NOTIFY);

        DriverRing e = f.guestRing(8, RING + 0x8000);
        ShadowDataVq svq2 = f.svq(SvqFixture.RX);
        svq2.start(SvqFixture.queue(SvqFixture.RX, e), 0, f.shadowIova(), 0, SvqFixture.eventIdx());
        e.writeDesc(0, buf(1), 64, SplitRing.DESC_F_WRITE, 0);
        e.offer(0);
        e.writeDesc(1, buf(2), 64, SplitRing.DESC_F_WRITE, 0);
        e.offer(1);
        svq2.guestKick();
        assertEquals(2, e.availEvent(), "EVENT_IDX: kick me when the avail index passes 2");
    }

    @Test
    void noInterruptSuppressesTheGuestNotificationWithoutEventIdx() {
        DriverRing g = f.guestRing(8, RING);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 0, f.shadowIova(), 0);
        SvqDevice d = new SvqDevice(f, svq, 0, 0, false);
        g.setAvailFlags(SplitRing.AVAIL_F_NO_INTERRUPT);
        g.writeDesc(0, buf(0), 64, SplitRing.DESC_F_WRITE, 0);
        g.offer(0);
        svq.guestKick();
        d.use(d.popAll().get(0), 10);
        assertFalse(svq.deviceCall(), "NO_INTERRUPT");
        assertEquals(1, g.usedIdx(), "the element is pushed all the same");
        g.setAvailFlags(0);
        g.writeDesc(1, buf(1), 64, SplitRing.DESC_F_WRITE, 0);
        g.offer(1);
        svq.guestKick();
        d.use(d.popAll().get(0), 10);
        assertTrue(svq.deviceCall());
    }

    @Test
    void usedEventDecidesTheGuestNotificationWithEventIdx() {
        DriverRing g = f.guestRing(8, RING);
        ShadowDataVq svq = f.svq(SvqFixture.RX);
        svq.start(SvqFixture.queue(SvqFixture.RX, g), 0, f.shadowIova(), 0, SvqFixture.eventIdx());
        SvqDevice d = new SvqDevice(f, svq, 0, 0, true);
        List<Boolean> notified = new ArrayList<>();
        g.setAvailFlags(SplitRing.AVAIL_F_NO_INTERRUPT); // ignored with EVENT_IDX
        g.setUsedEvent(2); // notify me when the used index passes 2 (becomes 3)
        for (int k = 0; k < 5; k++) {
            g.writeDesc(k, buf(k), 64, SplitRing.DESC_F_WRITE, 0);
            g.offer(k);
            svq.guestKick();
            d.use(d.popAll().get(0), 1);
            notified.add(svq.deviceCall());
        }
        // the first flush always notifies (signalled_used not valid yet); then only 2 -> 3
        assertEquals(List.of(true, false, true, false, false), notified);
    }

    @Test
    void aStopWithNothingStartedAnswersMinusOne() {
        assertEquals(-1, f.svq(0).stop());
        assertNull(f.svq(0).brokenReason());
    }
}
