package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.Test;

/** The plain-int reference count keeps Netty's rules: counted retains and releases, no use after the last. */
class LoopFrameBufTest {
    private final LoopFrameBuf b = new LoopFrameBuf(UnpooledByteBufAllocator.DEFAULT, 64);

    @Test
    void countsLikeNetty() {
        assertEquals(1, b.refCnt());
        assertSame(b, b.retain());
        b.retain(2);
        assertEquals(4, b.refCnt());
        assertFalse(b.release());
        assertFalse(b.release(2));
        b.writeInt(42);
        assertEquals(42, b.readInt(), "still accessible while a reference remains");
        assertTrue(b.release(), "the last reference frees it");
        assertEquals(0, b.refCnt());
    }

    @Test
    void noUseAfterTheLastReleaseAndNoOverRelease() {
        assertThrows(IllegalReferenceCountException.class, () -> b.release(2));
        assertEquals(1, b.refCnt(), "a refused release changes nothing");
        assertThrows(IllegalReferenceCountException.class, () -> b.retain(0));
        assertTrue(b.release());
        assertThrows(IllegalReferenceCountException.class, b::release);
        assertThrows(IllegalReferenceCountException.class, b::retain);
        assertThrows(IllegalReferenceCountException.class, () -> b.writeByte(1));
    }

    @Test
    void derivedBuffersShareTheCount() {
        ByteBuf slice = b.writeLong(7).retainedSlice();
        assertEquals(2, b.refCnt());
        assertFalse(slice.release(), "the slice's release is the buffer's");
        assertEquals(1, b.refCnt());
    }
}
