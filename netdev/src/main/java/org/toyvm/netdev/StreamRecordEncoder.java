package org.toyvm.netdev;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Frames a {@code -netdev stream} record: the frame's length as a 4-byte big-endian number, then the
 * frame itself, passed on without a copy. Stateless, so one instance may serve every channel.
 */
@ChannelHandler.Sharable
final class StreamRecordEncoder extends MessageToMessageEncoder<ByteBuf> {
    static final StreamRecordEncoder INSTANCE = new StreamRecordEncoder();

    private StreamRecordEncoder() {
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(ctx.alloc().buffer(StreamRecordDecoder.LEN_SIZE).writeInt(frame.readableBytes()));
        out.add(frame.retain()); // the encoder releases its input after encode
    }
}
