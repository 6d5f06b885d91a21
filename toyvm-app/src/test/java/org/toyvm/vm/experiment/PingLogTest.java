package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PingLogTest {
    @Test
    void repliesCountForTheWindowTheRequestWasSentInAlsoWhenLate() {
        PingLog l = new PingLog();
        l.sent(1, 10);
        assertEquals(10, l.replied(1, 15));
        l.openWindow(20);
        l.sent(2, 20);
        l.sent(3, 30);
        l.closeWindow(35);
        l.sent(4, 40);
        assertEquals(30, l.replied(3, 50), "a late reply to a window's request");
        assertEquals(-1, l.replied(3, 51), "a duplicate answers nothing");
        assertEquals(-1, l.replied(9, 52), "an unknown sequence number answers nothing");
        PingLog.Window w = l.windows().get(0);
        assertEquals(2, w.sent);
        assertEquals(1, w.lost());
        assertEquals(20, w.start);
        assertEquals(35, w.end);
        assertEquals(50, l.lastReply());
        assertEquals(15, l.firstReply());
    }

    @Test
    void sequenceNumbersWrapAt16BitsAndMatchTheirLatestUse() {
        PingLog l = new PingLog();
        l.openWindow(0);
        for (int i = 0; i <= 0x10000; i++) {
            l.sent(i & 0xffff, i);
        }
        assertEquals(0x10000, l.replied(0, 70_000), "seq 0 reused by request 65536");
        assertEquals(0x10001, l.windows().get(0).sent);
        assertEquals(0x10000, l.windows().get(0).lost());
    }

    @Test
    void histogramMergesBucketsAndKeepsEveryReply() {
        ReplyHistogram h = new ReplyHistogram();
        long n = 0;
        for (long t = 0; t < 100_000_000_000L; t += 7_000_000L) {
            h.add(t);
            n++;
        }
        h.add(Long.MAX_VALUE);
        var r = h.snapshot();
        assertEquals(n + 1, r.total());
        assertEquals(true, r.counts().length <= ReplyHistogram.BUCKETS);
    }
}
