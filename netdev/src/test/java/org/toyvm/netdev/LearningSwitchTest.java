package org.toyvm.netdev;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.toyvm.core.time.VirtualScheduler;

class LearningSwitchTest {
    private static final long A = 0x525400000001L;
    private static final long B = 0x525400123456L;
    private static final long BCAST = 0xffffffffffffL;

    private VirtualScheduler s;
    private final List<InProcessWire> wires = new ArrayList<>();
    private final List<List<Long>> got = new ArrayList<>();
    private LearningSwitch sw;

    @BeforeEach
    void build() {
        s = new VirtualScheduler();
        List<WirePort> switchEnds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            InProcessWire w = new InProcessWire(s, 1_000);
            wires.add(w);
            switchEnds.add(w.endB());
            List<Long> seen = new ArrayList<>();
            got.add(seen);
            w.endA().setReceiver(f -> {
                seen.add(mac(f, 6));
                f.release();
            });
        }
        sw = new LearningSwitch(switchEnds);
    }

    @AfterEach
    void close() {
        s.runUntil(s.now() + 1_000_000);
        for (InProcessWire w : wires) {
            w.endA().close();
            w.endB().close();
        }
    }

    private static long mac(ByteBuf f, int at) {
        return ((long) f.getUnsignedShort(at) << 32) | f.getUnsignedInt(at + 2);
    }

    private static ByteBuf frame(long dst, long src) {
        ByteBuf f = Unpooled.buffer(60);
        f.writeShort((int) (dst >>> 32)).writeInt((int) dst).writeShort((int) (src >>> 32)).writeInt((int) src);
        f.writeShort(0x0800).writeZero(46);
        return f;
    }

    private void sendFrom(int port, long dst, long src) {
        wires.get(port).endA().send(frame(dst, src));
        s.runUntil(s.now() + 10_000);
    }

    @Test
    void unknownDestinationsFloodAndLearnedOnesGoToTheirPort() {
        sendFrom(0, B, A); // B unknown: flooded to 1 and 2; A learned on 0
        assertEquals(List.of(A), got.get(1));
        assertEquals(List.of(A), got.get(2));
        sendFrom(1, A, B); // A known on 0; B learned on 1
        assertEquals(List.of(B), got.get(0));
        assertEquals(1, got.get(2).size());
        sendFrom(0, B, A);
        assertEquals(List.of(A, A), got.get(1));
        assertEquals(1, got.get(2).size(), "not flooded once B is known");
        assertEquals(1, sw.flooded());
    }

    @Test
    void aStationThatMovesIsReachedAtItsNewPortAfterItsFirstFrameFromThere() {
        sendFrom(1, BCAST, B); // B on 1 (a broadcast: flooded)
        sendFrom(0, B, A);
        assertEquals(List.of(A), got.get(1));
        sendFrom(2, A, B); // B moved to 2 (the destination host)
        assertEquals(2, sw.portOf(B));
        assertEquals(1, sw.moves());
        sendFrom(0, B, A);
        assertEquals(List.of(A), got.get(1), "the old port no longer gets B's frames");
        assertEquals(List.of(B, A), got.get(2), "B's broadcast, then A's frame to B at B's new port");
    }

    @Test
    void runtFramesAndFramesBackToTheirOwnPortAreDropped() {
        wires.get(0).endA().send(Unpooled.buffer(13).writeZero(13));
        s.runUntil(s.now() + 10_000);
        sendFrom(0, BCAST, A);
        sendFrom(1, BCAST, B);
        assertEquals(1, sw.dropped(), "the runt");
        sendFrom(0, A, B); // to A, from A's own port: never sent back where it came from
        assertEquals(2, sw.dropped());
        assertEquals(List.of(A), got.get(1), "only the broadcast reached port 1");
    }
}
