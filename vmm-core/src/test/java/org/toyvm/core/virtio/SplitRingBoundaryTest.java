package org.toyvm.core.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The split-ring arithmetic at the edges: the event-index test on 16-bit indexes (vring_need_event:
 * only the low 16 bits of each index count), queue sizes as any 32-bit value, and ring offsets for
 * the largest queue (no int overflow).
 */
class SplitRingBoundaryTest {
    @ParameterizedTest
    @CsvSource({
        // event, new, old, notify
        "0, 1, 0, true", "0, 0, 0, false", "0x7fff, 0x8000, 0x7fff, true", "0x8000, 0x8000, 0x7fff, false",
        "0xffff, 0, 0xffff, true", "0xffff, 0, 0xfffe, true", "0, 0, 0xffff, false", "0, 1, 0xffff, true",
        "0xfffe, 0, 0xffff, false", "5, 4, 0xfff0, false"})
    void needEventOnSixteenBitIndexes(String event, String newIdx, String oldIdx, boolean notify) {
        int e = Integer.decode(event);
        int n = Integer.decode(newIdx);
        int o = Integer.decode(oldIdx);
        assertEquals(notify, SplitRing.needEvent(e, n, o));
        // Only the low 16 bits count: the same indexes with garbage above them give the same answer.
        for (int high : new int[] {0x1_0000, 0x7fff_0000, 0x8000_0000, 0xffff_0000}) {
            assertEquals(notify, SplitRing.needEvent(e | high, n | high, o));
            assertEquals(notify, SplitRing.needEvent(e, n, o | high));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 3, 65536, 32769, 0x4000_0000})
    void queueSizesOutsidePowersOfTwoUpTo32768AreInvalid(int n) {
        assertFalse(SplitRing.validSize(n));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 256, 1024, 32768})
    void powersOfTwoUpTo32768AreValid(int n) {
        assertTrue(SplitRing.validSize(n));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 256, 32768})
    void ringOffsetsForTheLargestQueueDoNotOverflow(int n) {
        assertEquals(16L * n, SplitRing.descTableSize(n));
        assertEquals(16L * (n - 1), SplitRing.desc(n - 1));
        assertEquals(4 + 2L * (n - 1), SplitRing.availRing(n - 1));
        assertEquals(4 + 2L * n, SplitRing.usedEvent(n));
        assertEquals(4 + 8L * (n - 1), SplitRing.usedElem(n - 1));
        assertEquals(4 + 8L * n, SplitRing.availEvent(n));
        assertEquals(6 + 8L * n, SplitRing.usedSize(n));
        assertEquals(SplitRing.desc(0xffff), 16L * 0xffff, "a u16 descriptor index never overflows an offset");
    }
}
