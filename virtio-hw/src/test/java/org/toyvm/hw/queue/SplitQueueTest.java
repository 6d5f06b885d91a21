package org.toyvm.hw.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.hw.api.DmaEntry;

/**
 * The split-queue engine on its own, driven through the one driver-side ring: pop, used, notification
 * (with and without EVENT_IDX), the 16-bit wrap, and the rule that ring areas are resolved once and
 * again only when the translation changes — including in the middle of a kick.
 */
class SplitQueueTest {
    private static final long RAM = 1 << 20;
    private static final int N = 16;
    private final HostAddressSpace mm = new HostAddressSpace();
    private final RamBlock ram = mm.map("guest", RAM);
    private final GuestRam guest = GuestRam.at(ram, Gpa.of(0));
    private final PageTable map = PageTable.pages(RAM, 4096, ram.base().value());
    private final DmaEngine dma = new DmaEngine(mm);
    private final List<String> broken = new ArrayList<>();
    private final SplitQueue q = new SplitQueue(1, 256, dma, broken::add);
    /** Each area on its own page, so that a test can unmap one of them. */
    private final DriverRing ring = new DriverRing(guest, N,
            new DriverRing.Layout(Gpa.of(0x10000), Gpa.of(0x11000), Gpa.of(0x12000)));

    SplitQueueTest() {
        dma.setTranslations(asid -> asid == 0 ? map : null);
        DriverRing.Layout l = ring.layout();
        q.setSize(N);
        q.setAddresses(Iova.of(l.desc().value()), Iova.of(l.avail().value()), Iova.of(l.used().value()));
        q.setReady(true);
    }

    private void kick(boolean eventIdx) {
        q.beginKick(0, false, eventIdx);
    }

    @Test
    void popsHeadsInOrderThenNothing() {
        for (int h : new int[] {3, 0, 7}) {
            ring.writeDesc(h, Gpa.of(0x40000 + h * 0x100L), 64, 0, 0);
            ring.add(h);
        }
        ring.publish();
        kick(false);
        assertEquals(3, q.pop());
        assertEquals(0, q.pop());
        assertEquals(7, q.pop());
        assertEquals(-1, q.pop(), "nothing pending");
        assertEquals(3, q.base());
        assertTrue(broken.isEmpty());
    }

    @Test
    void usedElementsAndIndexAreWhatTheDriverReads() {
        ring.offer(5);
        ring.offer(2);
        kick(false);
        int a = q.pop();
        int b = q.pop();
        assertTrue(q.addUsed(b, 100));
        assertTrue(q.addUsed(a, 0));
        assertEquals(2, ring.usedIdx());
        assertEquals(2, ring.nextUsedId());
        assertEquals(100, ring.nextUsedLen());
        ring.consumeUsed();
        assertEquals(5, ring.nextUsedId());
        assertEquals(0, ring.nextUsedLen());
    }

    @Test
    void noInterruptFlagSuppressesTheNotificationWithoutEventIdx() {
        ring.offer(0);
        kick(false);
        q.addUsed(q.pop(), 0);
        assertTrue(q.endKick());
        ring.setAvailFlags(SplitRing.AVAIL_F_NO_INTERRUPT);
        ring.offer(1);
        kick(false);
        q.addUsed(q.pop(), 0);
        assertFalse(q.endKick());
        kick(false);
        assertFalse(q.endKick(), "nothing used in this kick: no interrupt");
    }

    @Test
    void eventIdxInterruptsOnlyWhenUsedPassesUsedEvent() {
        ring.setUsedEvent(1); // interrupt once used passes index 1, i.e. after the 2nd element
        ring.setAvailFlags(SplitRing.AVAIL_F_NO_INTERRUPT); // ignored with EVENT_IDX
        ring.offer(0);
        kick(true);
        q.addUsed(q.pop(), 0);
        assertFalse(q.endKick(), "used 1 has not passed used_event 1");
        ring.offer(1);
        kick(true);
        q.addUsed(q.pop(), 0);
        assertTrue(q.endKick(), "used 2 passed used_event 1");
    }

    @ParameterizedTest
    @ValueSource(ints = {0xfff0, 0xfffe, 0xffff})
    void indexesWrapAt16Bits(int base) {
        q.setBase(base);
        ring.forceAvailIdx(base);
        ring.setUsedEvent(base); // EVENT_IDX: the first used element after base interrupts
        for (int i = 0; i < 20; i++) {
            ring.offer(i % N);
            kick(true);
            assertEquals(i % N, q.pop());
            assertTrue(q.addUsed(i % N, i));
            assertEquals(i == 0, q.endKick(), "used " + i);
            assertEquals((base + i + 1) & 0xffff, ring.usedIdx());
            assertEquals(i, ring.usedLen(base + i));
        }
        assertEquals((base + 20) & 0xffff, q.base());
        assertTrue(broken.isEmpty());
    }

    @Test
    void availIndexTooFarAheadIsReportedNotPopped() {
        ring.forceAvailIdx(N + 1);
        kick(false);
        assertEquals(-1, q.pop());
        assertEquals(1, broken.size());
        assertTrue(broken.get(0).contains("ahead"), broken.get(0));
    }

    @Test
    void badLayoutIsReportedAtPop() {
        q.setSize(3);
        kick(false);
        assertEquals(-1, q.pop());
        assertTrue(broken.get(0).contains("power of two"), broken.get(0));
    }

    @Test
    void ringAreasAreResolvedOnceWhileTheGenerationStands() {
        for (int i = 0; i < 10; i++) {
            ring.offer(i % N);
            kick(false);
            q.addUsed(q.pop(), 0);
            q.endKick();
        }
        assertEquals(1, q.areaResolutions(), "one resolution for ten kicks");
        map.add(0x80000 + RAM, 0x80000 + RAM + 0xfff, ram.base().value(), DmaEntry.PERM_RW); // unrelated change
        ring.offer(0);
        kick(false);
        q.pop();
        assertEquals(2, q.areaResolutions(), "a new generation resolves again");
    }

    @Test
    void ringsWhoseChunkIsDroppedAndWrittenAgainAreReadFromTheNewMemory() {
        ring.offer(2);
        kick(false);
        assertEquals(2, q.pop());
        assertTrue(q.addUsed(2, 0));
        // The rings' chunk is given back (a balloon or a reset zeroing RAM) while the translation stands:
        // the device must not keep reading or writing the old array.
        ram.zero(0x10000, RamBlock.CHUNK_SIZE);
        assertEquals(-1, q.pop(), "the avail ring reads as zeros now: idx 0, nothing pending");
        assertTrue(q.addUsed(2, 0), "the used write allocates the chunk again");
        assertEquals(2, ring.usedIdx(), "the driver sees the device's write in the new chunk");
        q.setBase(0);
        ring.forceAvailIdx(0);
        ring.setAvailEntry(0, 9);
        ring.forceAvailIdx(1);
        ring.writeDesc(9, Gpa.of(0x40000), 64, 0, 0);
        kick(false);
        assertEquals(9, q.pop());
        DescriptorChain c = q.chain(9);
        assertEquals(0x40000, c.next().addr());
        assertEquals(1, q.areaResolutions(), "no remap: the areas stand, only their chunk changed");
    }

    @Test
    void aMappingChangeInTheMiddleOfAKickIsSeenAtTheNextRingAccess() {
        ring.offer(4);
        ring.offer(5);
        kick(false);
        assertEquals(4, q.pop());
        assertTrue(q.addUsed(4, 0));
        // The parent unmaps the used ring's page while the device is between two chains.
        long usedPage = ring.layout().used().value() & ~0xfffL;
        map.removeOverlapping(usedPage, usedPage + 0xfff);
        long faults = dma.faults();
        assertEquals(5, q.pop(), "the avail ring is still mapped");
        assertFalse(q.addUsed(5, 0), "the used ring is gone: a fault, not a write through a stale area");
        assertEquals(faults + 1, dma.faults());
        assertEquals(1, ring.usedIdx(), "nothing published after the unmap");
    }

    @Test
    void aRemapInTheMiddleOfAKickRedirectsRingWrites() {
        ring.offer(6);
        ring.offer(7);
        kick(false);
        q.pop();
        q.addUsed(6, 0);
        // Move the used ring's page to other host memory (as a parent's MR rebuild may).
        long usedPage = ring.layout().used().value() & ~0xfffL;
        long elsewhere = 0xf0000;
        map.removeOverlapping(usedPage, usedPage + 0xfff);
        map.add(usedPage, usedPage + 0xfff, ram.base().value() + elsewhere, DmaEntry.PERM_RW);
        q.pop();
        assertTrue(q.addUsed(7, 0));
        long usedIdxThere = elsewhere + (ring.layout().used().value() - usedPage) + SplitRing.USED_IDX;
        assertEquals(2, ram.getU16(usedIdxThere), "the index went through the new translation");
        assertEquals(1, ring.usedIdx(), "the old place saw only the first element");
    }

    @Test
    void chainIsABoundedIteratorAndRewindReplaysIt() {
        ring.writeDesc(0, Gpa.of(0x40000), 10, SplitRing.DESC_F_NEXT, 1);
        ring.writeDesc(1, Gpa.of(0x41000), 20, SplitRing.DESC_F_WRITE, 0);
        ring.offer(0);
        kick(false);
        DescriptorChain c = q.chain(q.pop());
        DescriptorChain.Descriptor d = c.next();
        assertEquals(0x40000, d.addr());
        assertEquals(10, d.len());
        assertFalse(d.writable());
        d = c.next();
        assertEquals(0x41000, d.addr());
        assertTrue(d.writable());
        assertNull(c.next());
        assertEquals(30, c.totalLen());
        ring.writeDesc(1, Gpa.of(0x42000), 99, SplitRing.DESC_F_WRITE, 0); // rewritten behind the device's back
        c.rewind();
        assertNotNull(c.next());
        assertEquals(0x41000, c.next().addr(), "the replay is the chain that was checked");
        assertNull(c.next());
    }

    @Test
    void aLoopEndsAsTooLong() {
        ring.writeDesc(0, Gpa.of(0x40000), 10, SplitRing.DESC_F_NEXT, 1);
        ring.writeDesc(1, Gpa.of(0x40000), 10, SplitRing.DESC_F_NEXT, 0);
        ring.offer(0);
        kick(false);
        DescriptorChain c = q.chain(q.pop());
        int yielded = 0;
        while (c.next() != null) {
            yielded++;
        }
        assertEquals(N, yielded, "at most the table's size");
        assertEquals(ChainError.TOO_LONG, c.error());
    }
    /** One direct descriptor, then the chain's end and its error; a replay after rewind when it was valid. */
    private DescriptorChain oneDescriptor(long addr, int len, int flags) {
        ring.writeDesc(3, Gpa.of(addr), len, flags, 0);
        ring.offer(3);
        kick(false);
        return q.chain(q.pop());
    }

    @Test
    void aOneDescriptorChainIsYieldedOnceAndReplayed() {
        DescriptorChain c = oneDescriptor(0x40000, 64, SplitRing.DESC_F_WRITE);
        DescriptorChain.Descriptor d = c.next();
        assertEquals(0x40000, d.addr());
        assertEquals(64, d.len());
        assertTrue(d.writable());
        assertNull(c.next());
        assertNull(c.next(), "the end stays the end");
        assertEquals(ChainError.NONE, c.error());
        assertEquals(64, c.totalLen());
        ring.writeDesc(3, Gpa.of(0x50000), 7, 0, 0); // rewritten behind the device's back
        c.rewind();
        d = c.next();
        assertEquals(0x40000, d.addr(), "the replay is the descriptor that was checked");
        assertTrue(d.writable());
        assertNull(c.next());
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 0xffff_ffffL})
    void aOneDescriptorChainMayBeEmptyOrAsLongAsThirtyTwoBitsAllow(long len) {
        DescriptorChain c = oneDescriptor(0, (int) len, 0);
        assertEquals(len, c.next().len());
        assertNull(c.next());
        assertEquals(ChainError.NONE, c.error());
        assertEquals(len, c.totalLen());
    }

    @Test
    void aOneDescriptorChainEndingAtTheTopOfTheAddressSpaceIsValidButOneByteMoreWraps() {
        DescriptorChain c = oneDescriptor(-0x1000L, 0x1000, 0);
        assertEquals(-0x1000L, c.next().addr());
        assertEquals(ChainError.NONE, c.error());
        c = oneDescriptor(-0x1000L, 0x1001, 0);
        assertNull(c.next());
        assertEquals(ChainError.LENGTH_OVERFLOW, c.error());
        assertNull(c.next());
    }

    @Test
    void aOneDescriptorIndirectChainWithoutTheFeatureIsRefused() {
        DescriptorChain c = oneDescriptor(0x40000, 16, SplitRing.DESC_F_INDIRECT);
        assertNull(c.next());
        assertEquals(ChainError.INDIRECT_NOT_NEGOTIATED, c.error());
    }

    @Test
    void aHeadOutOfRangeOrUnreachableIsAnErrorNotABuffer() {
        DescriptorChain c = q.chain(N);
        assertNull(c.next());
        assertEquals(ChainError.NEXT_OUT_OF_RANGE, c.error());
        ring.writeDesc(3, Gpa.of(0x40000), 64, 0, 0);
        ring.offer(3);
        kick(false);
        int head = q.pop();
        long descPage = ring.layout().desc().value() & ~0xfffL;
        map.removeOverlapping(descPage, descPage + 0xfff);
        long faults = dma.faults();
        c = q.chain(head);
        assertNull(c.next());
        assertEquals(ChainError.DMA_FAULT, c.error());
        assertEquals(faults + 1, dma.faults(), "one read, one fault");
    }
}
