package org.toyvm.netdev;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a {@code -netdev stream} byte stream into frames: each record is a 4-byte big-endian length
 * and that many bytes (QEMU's {@code net/stream.c}). A record whose length is below an Ethernet
 * header or above {@link StreamPort#MAX_FRAME} is skipped whole — also when it spans many reads —
 * and reported, so the stream stays in step. Frames go on as retained slices (no copy).
 */
final class StreamRecordDecoder extends ByteToMessageDecoder {
    static final int LEN_SIZE = Integer.BYTES;
    private final Runnable malformed;
    /** Bytes of a refused record still to skip. */
    private long skip;

    StreamRecordDecoder(Runnable malformed) {
        this.malformed = malformed;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf b, List<Object> out) {
        while (true) {
            if (skip > 0) {
                int n = (int) Math.min(skip, b.readableBytes());
                b.skipBytes(n);
                skip -= n;
                if (skip > 0) {
                    return;
                }
            }
            if (b.readableBytes() < LEN_SIZE) {
                return;
            }
            long len = b.getUnsignedInt(b.readerIndex());
            if (len < StreamPort.MIN_FRAME || len > StreamPort.MAX_FRAME) {
                malformed.run();
                b.skipBytes(LEN_SIZE);
                skip = len;
                continue;
            }
            if (b.readableBytes() < LEN_SIZE + len) {
                return;
            }
            b.skipBytes(LEN_SIZE);
            out.add(b.readRetainedSlice((int) len));
        }
    }
}
