package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.toyvm.netdev.WirePort;

/**
 * A port that keeps frames on the NIC's loop gets TX frames whose reference count is a plain int
 * ({@link LoopFrameBuf}): the bytes are the same, the pool is reused, nothing comes from the allocator,
 * and every frame is released on every path — reflected, held in the RX backlog, or held past a reset.
 */
class SameThreadPortTest {
    /** Hands every frame straight back to the NIC, or keeps it when told to. */
    private static final class Reflector implements WirePort {
        private Consumer<ByteBuf> receiver;
        final List<ByteBuf> seen = new ArrayList<>();
        final List<ByteBuf> kept = new ArrayList<>();
        boolean keep;

        @Override
        public boolean sameThread() {
            return true;
        }

        @Override
        public void send(ByteBuf frame) {
            if (!seen.contains(frame)) {
                seen.add(frame);
            }
            if (keep) {
                kept.add(frame);
            } else {
                receiver.accept(frame);
            }
        }

        @Override
        public void setReceiver(Consumer<ByteBuf> r) {
            receiver = r;
        }

        @Override
        public long malformed() {
            return 0;
        }

        @Override
        public long framesOut() {
            return 0;
        }

        @Override
        public long framesIn() {
            return 0;
        }

        @Override
        public String describe() {
            return "reflector";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void framesComeBackByteForByteThroughOneReusedBuffer() {
        try (NicFixture f = new NicFixture()) {
            Reflector port = new Reflector();
            f.nic.attach(port);
            NicFixture.Ring rx = f.rx();
            NicFixture.Ring tx = f.tx();
            f.start(0, rx, tx);
            int before = f.alloc.made();
            for (int i = 0; i < 5; i++) {
                byte[] frame = NicFixture.frame(60 + i, i);
                long rxBuf = 0x50000 + 0x800L * i;
                rx.publish(rx.single(rxBuf, 2048, true));
                f.putTxBuffer(0x40000, frame);
                tx.publish(tx.single(0x40000, 12 + frame.length, false));
                assertEquals(i + 1, rx.usedIdx());
                assertEquals(12 + frame.length, rx.usedLen(i));
                byte[] got = new byte[frame.length];
                f.ram.read(rxBuf + 12, got, 0, got.length);
                assertArrayEquals(frame, got);
            }
            assertEquals(1, port.seen.size(), "a frame released by the time the next is sent: the same buffer");
            assertInstanceOf(LoopFrameBuf.class, port.seen.get(0));
            assertEquals(before, f.alloc.made(), "nothing taken from the allocator per frame");
            f.nic.reset();
            assertEquals(0, port.seen.get(0).refCnt(), "the pool's reference goes at reset");
        }
    }

    @Test
    void framesHeldDownstreamAreNotReusedAndAreReleasedByTheirHolder() {
        try (NicFixture f = new NicFixture()) {
            Reflector port = new Reflector();
            f.nic.attach(port);
            NicFixture.Ring rx = f.rx();
            NicFixture.Ring tx = f.tx();
            f.start(0, rx, tx);
            // No RX buffer: reflected frames wait in the RX backlog, still referenced.
            for (int i = 0; i < 3; i++) {
                f.putTxBuffer(0x40000 + 0x800L * i, NicFixture.frame(60, i));
                tx.publish(tx.single(0x40000 + 0x800L * i, 72, false));
            }
            assertEquals(3, port.seen.size(), "each frame waiting downstream took its own buffer");
            port.keep = true;
            f.putTxBuffer(0x42000, NicFixture.frame(70, 9));
            tx.publish(tx.single(0x42000, 82, false));
            assertEquals(1, port.kept.size());
            ByteBuf kept = port.kept.get(0);
            assertEquals(2, kept.refCnt(), "the pool's reference and the port's");
            f.nic.reset(); // backlog released, pool references dropped; the port still holds its frame
            for (int i = 0; i < 3; i++) {
                assertEquals(0, port.seen.get(i).refCnt());
            }
            assertEquals(1, kept.refCnt());
            assertEquals(70, kept.readableBytes(), "still readable by its holder");
            assertTrue(kept.release());
        }
    }
}
