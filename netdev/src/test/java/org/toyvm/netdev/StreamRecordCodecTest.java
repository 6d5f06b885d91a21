package org.toyvm.netdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code -netdev stream} record codec in an {@link EmbeddedChannel}: records split across reads
 * are reassembled, refused lengths are skipped whole (also across reads) and counted, the stream
 * stays in step after them, and the encoder writes what the decoder reads. Every buffer is released.
 */
class StreamRecordCodecTest {
    private final long[] malformed = new long[1];
    private final EmbeddedChannel ch = new EmbeddedChannel(new StreamRecordDecoder(() -> malformed[0]++));

    private static byte[] frame(int len, int seed) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) {
            f[i] = (byte) (seed + i);
        }
        return f;
    }

    private static ByteBuf record(long len, byte[] body) {
        return Unpooled.buffer().writeInt((int) len).writeBytes(body);
    }

    private byte[] read() {
        ByteBuf b = ch.readInbound();
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    @Test
    void aRecordSplitAtEveryByteIsOneFrame() {
        byte[] f = frame(60, 1);
        ByteBuf all = record(60, f);
        while (all.isReadable()) {
            ch.writeInbound(all.readRetainedSlice(1));
        }
        all.release();
        assertEquals(60, read().length);
        assertNull(read());
        assertEquals(0, malformed[0]);
        assertFalse(ch.finish());
    }

    @Test
    void twoRecordsInOneReadAreTwoFrames() {
        ByteBuf b = record(14, frame(14, 1));
        ByteBuf second = record(20, frame(20, 2));
        b.writeBytes(second);
        second.release();
        ch.writeInbound(b);
        assertEquals(14, read().length);
        assertEquals(20, read().length);
        assertFalse(ch.finish());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 13, StreamPort.MAX_FRAME + 1L})
    void aRefusedLengthIsSkippedWholeAndCounted(long len) {
        byte[] junk = new byte[(int) Math.min(len, 70_000)];
        ByteBuf bad = record(len, junk);
        // the bad record arrives in two pieces, the good one right behind it
        ch.writeInbound(bad.readRetainedSlice(bad.readableBytes() / 2));
        ByteBuf rest = Unpooled.buffer().writeBytes(bad);
        bad.release();
        ByteBuf good = record(14, frame(14, 9));
        rest.writeBytes(good);
        good.release();
        ch.writeInbound(rest);
        assertEquals(1, malformed[0]);
        byte[] next = read();
        assertEquals(14, next.length, "the stream is still in step");
        assertEquals(9, next[0]);
        assertNull(read());
        assertFalse(ch.finish());
    }

    @Test
    void lengthIsUnsigned() {
        ch.writeInbound(Unpooled.buffer().writeInt(0xffff_fff0));
        assertEquals(1, malformed[0], "4 GiB - 16 is far beyond a frame, not a negative number");
        assertFalse(ch.finish());
    }

    @Test
    void whatTheEncoderWritesTheDecoderReads() {
        EmbeddedChannel out = new EmbeddedChannel(StreamRecordEncoder.INSTANCE);
        assertTrue(out.writeOutbound(Unpooled.wrappedBuffer(frame(100, 3))));
        for (ByteBuf b; (b = out.readOutbound()) != null;) {
            ch.writeInbound(b);
        }
        byte[] got = read();
        assertEquals(100, got.length);
        assertEquals(3, got[0]);
        assertFalse(out.finish());
        assertFalse(ch.finish());
    }
}
