package org.toyvm.core.mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A window onto a small area of a {@link RamBlock} that lies inside one allocated chunk, for a device
 * that touches the same area many times per packet (a virtqueue's rings): fields are read and written
 * straight in the chunk's array. Going through the block instead costs a bounds check against the
 * block and a chunk lookup per field, and a device's rings and buffers together touch more chunks
 * than the block's small cache of recent chunks holds, so those lookups went to the hash map.
 *
 * <p>The window is only as good as the array it holds: {@link RamBlock#zero} may drop the chunk (a
 * later write then allocates a fresh one), so {@link #valid()} compares the block's drop counter with
 * the one seen at {@link #open}. Offsets are relative to the window's start and checked against its
 * length (little-endian, as every virtio field). Not thread-safe, like the block.
 */
public final class ChunkView {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private RamBlock block;
    private byte[] array;
    private int base;
    private int len;
    private long drops;

    /**
     * Opens the window on {@code [offset, offset+len)} of {@code block}; false (and the window closed)
     * when that range is not inside one allocated chunk, so the caller uses the block's accessors.
     */
    public boolean open(RamBlock block, long offset, int len) {
        byte[] a = block.chunkArray(offset, len);
        if (a == null) {
            close();
            return false;
        }
        this.block = block;
        this.array = a;
        this.base = (int) (offset & (RamBlock.CHUNK_SIZE - 1));
        this.len = len;
        this.drops = block.chunkDrops();
        return true;
    }

    public void close() {
        block = null;
        array = null;
    }

    /** True while open and the block has dropped no chunk since (the array is still its memory). */
    public boolean valid() {
        return array != null && block.chunkDrops() == drops;
    }

    public int getU16(int at) {
        Objects.checkFromIndexSize(at, Short.BYTES, len);
        return (short) SHORT.get(array, base + at) & 0xffff;
    }

    public void putU16(int at, short v) {
        Objects.checkFromIndexSize(at, Short.BYTES, len);
        SHORT.set(array, base + at, v);
    }

    /** A ring index read with acquire order, as {@link RamBlock#getU16Acquire}. */
    public int getU16Acquire(int at) {
        int v = getU16(at);
        VarHandle.acquireFence();
        return v;
    }

    /** A ring index published with release order, as {@link RamBlock#putU16Release}. */
    public void putU16Release(int at, short v) {
        VarHandle.releaseFence();
        putU16(at, v);
    }

    public int getU32(int at) {
        Objects.checkFromIndexSize(at, Integer.BYTES, len);
        return (int) INT.get(array, base + at);
    }

    public void putU32(int at, int v) {
        Objects.checkFromIndexSize(at, Integer.BYTES, len);
        INT.set(array, base + at, v);
    }

    public long getU64(int at) {
        Objects.checkFromIndexSize(at, Long.BYTES, len);
        return (long) LONG.get(array, base + at);
    }

    public void putU64(int at, long v) {
        Objects.checkFromIndexSize(at, Long.BYTES, len);
        LONG.set(array, base + at, v);
    }
}
