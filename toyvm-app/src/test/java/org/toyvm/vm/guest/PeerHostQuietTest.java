package org.toyvm.vm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.netdev.WirePort;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;

/** A quiet stretch sends nothing, uses up its sequence numbers and keeps the peer on its interval grid. */
class PeerHostQuietTest {
    private static final long MS = 1_000_000L;

    private static final class CountingPort implements WirePort {
        int frames;

        @Override
        public void send(ByteBuf frame) {
            frames++;
            frame.release();
        }

        @Override
        public void setReceiver(Consumer<ByteBuf> receiver) {
        }

        @Override
        public long malformed() {
            return 0;
        }

        @Override
        public long framesOut() {
            return frames;
        }

        @Override
        public long framesIn() {
            return 0;
        }

        @Override
        public String describe() {
            return "counting";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void quietTicksSendNothingAndKeepSequenceAndPhase() {
        VirtualScheduler s = new VirtualScheduler();
        CountingPort port = new CountingPort();
        List<long[]> sent = new ArrayList<>();
        PeerHost peer = new PeerHost(s, port, MacAddress.parse("52:54:00:00:00:01"), Ipv4Cidr.parse("10.0.0.1/24"),
                Ipv4Address.parse("10.0.0.2"), 10 * MS, UnpooledByteBufAllocator.DEFAULT, new PeerHost.Events() {
                    @Override
                    public void requestSent(int flow, int seq, long t) {
                        sent.add(new long[] {seq, t});
                    }

                    @Override
                    public void replyReceived(int flow, int seq, long t) {
                    }
                });
        peer.quietBetween(25 * MS, 1_000 * MS);
        s.schedule(peer::start, 3 * MS);
        s.runUntil(1_025 * MS);
        peer.stop();
        // Ticks at 3, 13, 23 ms; 33 .. 993 ms are quiet (97 of them); then 1003, 1013, 1023 ms.
        assertEquals(6, sent.size());
        assertEquals(6, port.frames, "one ARP request per tick sent, none while quiet");
        long[][] want = {{1, 3}, {2, 13}, {3, 23}, {101, 1003}, {102, 1013}, {103, 1023}};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i][0], sent.get(i)[0], "seq of tick " + i);
            assertEquals(want[i][1] * MS, sent.get(i)[1], "time of tick " + i);
        }
    }
}
