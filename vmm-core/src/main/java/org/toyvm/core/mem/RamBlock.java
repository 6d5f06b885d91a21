package org.toyvm.core.mem;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.U64;

/**
 * A block of host RAM mapped into the VMM process (QEMU's RAMBlock): guest RAM, a ROM image, a
 * doorbell page, or plain userspace memory from {@code mmap}.
 *
 * <p>Backed sparsely: memory is held in {@value #CHUNK_SIZE}-byte chunks allocated on first
 * write; untouched memory reads as zeros. A 1 TiB block costs one small hash map until touched.
 * Chunks are plain {@code byte[]} (a {@code ByteBuffer} cannot exceed 2 GiB, so the block is
 * chunked anyway).
 *
 * <pre>
 *  offset 0                                                         size-1
 *  |--chunk 0--|--chunk 1--|          ...           |--chunk k--|
 *   allocated    (absent: reads 0)                    allocated
 * </pre>
 *
 * <p>{@link #copyTo} moves the contents to another block of the same size (a live migration's RAM
 * transfer), sparse as the storage: only allocated chunks are copied.
 *
 * <p>All accessors are bounds-checked against the block: an access that does not fit throws
 * {@link MemoryAccessException}, never touches a neighbour. Multi-byte values are little-endian
 * (virtio's byte order). Not thread-safe except {@link #getU16Acquire}/{@link #putU16Release},
 * which order ring-index accesses against the data around them as virtio requires.
 */
public final class RamBlock {
    public static final int CHUNK_SHIFT = 16;
    public static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final long size;
    private final Hva base;
    private final long physRunSize;
    private final MemoryBackend backend; // null: mapped without a backend (see sharedFileBacked)
    private final boolean sharedFileBacked;
    private final ChunkStore chunks = new ChunkStore();
    private final PinLedger pins;

    RamBlock(String name, Hva base, long size, long physRunSize) {
        this(name, base, size, physRunSize, null, true);
    }

    RamBlock(String name, Hva base, long size, MemoryBackend backend) {
        this(name, base, size, backend.pageSize(), backend, backend.sharedFileBacked());
    }

    private RamBlock(String name, Hva base, long size, long physRunSize, MemoryBackend backend,
            boolean sharedFileBacked) {
        this.name = Objects.requireNonNull(name, "name");
        if (size <= 0) {
            throw new IllegalArgumentException("RAM block '" + name + "' needs a positive size, got " + U64.dec(size));
        }
        if (physRunSize <= 0 || Long.bitCount(physRunSize) != 1) {
            throw new IllegalArgumentException("RAM block '" + name + "': physically contiguous run size "
                    + physRunSize + " is not a power of two");
        }
        this.base = base;
        this.size = size;
        this.physRunSize = physRunSize;
        this.backend = backend;
        this.sharedFileBacked = sharedFileBacked;
        this.pins = new PinLedger(name, size);
    }

    public String name() {
        return name;
    }

    /** Size in bytes (a block is below 2^63 bytes). */
    public long size() {
        return size;
    }

    /** Where the block sits in the VMM's host address space. */
    public Hva base() {
        return base;
    }

    public AddrRange hvaRange() {
        return AddrRange.ofSize(base.value(), size);
    }

    /**
     * The size of a physically contiguous run of this block's backing (its page size: 4 KiB for
     * shmem, 2 MiB for THP, 1 GiB for hugetlbfs-1G, or the whole block for memory the model treats
     * as one contiguous run). The kernel makes one IOTLB entry per contiguous run it pins.
     */
    public long physRunSize() {
        return physRunSize;
    }

    /** The backend the block was mapped with, empty for a block mapped by run size alone. */
    public Optional<MemoryBackend> backend() {
        return Optional.ofNullable(backend);
    }

    /**
     * True when the block is a MAP_SHARED file mapping, the only VMAs vhost_vdpa_va_map maps
     * ({@link MemoryBackend#sharedFileBacked}). A block mapped without a backend counts as shared:
     * the model's ROM, doorbell and test blocks stand for memfd/shm mappings, as before backends existed.
     */
    public boolean sharedFileBacked() {
        return sharedFileBacked;
    }

    /** Per-range pin counts of this block (the kernel's pinned pages, recorded without per-page state). */
    public PinLedger pins() {
        return pins;
    }

    /** Number of chunks actually allocated (for tests of sparseness). */
    public int allocatedChunks() {
        return chunks.count();
    }

    /** Bytes actually held in memory. */
    public long residentBytes() {
        return (long) chunks.count() * CHUNK_SIZE;
    }

    /** True when {@code [offset, offset+len)} lies inside the block. */
    public boolean fits(long offset, long len) {
        return offset >= 0 && len >= 0 && offset <= size && len <= size - offset;
    }

    private void check(long offset, long len) {
        if (!fits(offset, len)) {
            throw new MemoryAccessException("access of " + len + " bytes at offset " + U64.hex(offset)
                    + " is outside RAM block '" + name + "' of size " + U64.hex(size));
        }
    }

    private static boolean inOneChunk(long offset, int len) {
        return ((offset & CHUNK_MASK) + len) <= CHUNK_SIZE;
    }

    /**
     * How many chunks {@link #zero} and {@link #copyTo} (on the destination) have dropped so far. An
     * array from {@link #chunkArray} stays this block's memory only while this count stands (after a
     * drop, a write allocates a fresh chunk).
     */
    public long chunkDrops() {
        return chunks.drops();
    }

    /**
     * The array backing {@code [offset, offset+len)} when the range lies inside one allocated chunk
     * (it starts at index {@code offset & (CHUNK_SIZE - 1)}), else null: the range spans chunks or is
     * not allocated (reads as zeros), and the accessors must be used. For {@link ChunkView}, which
     * keeps a hot area's array so a field access needs no block check and no chunk lookup.
     */
    byte[] chunkArray(long offset, int len) {
        check(offset, len);
        return inOneChunk(offset, len) ? chunks.forRead(offset >>> CHUNK_SHIFT) : null;
    }

    public byte getU8(long offset) {
        check(offset, 1);
        byte[] c = chunks.forRead(offset >>> CHUNK_SHIFT);
        return c == null ? 0 : c[(int) (offset & CHUNK_MASK)];
    }

    public void putU8(long offset, byte v) {
        check(offset, 1);
        chunks.forWrite(offset >>> CHUNK_SHIFT)[(int) (offset & CHUNK_MASK)] = v;
    }

    public short getU16(long offset) {
        check(offset, 2);
        if (inOneChunk(offset, 2)) {
            byte[] c = chunks.forRead(offset >>> CHUNK_SHIFT);
            return c == null ? 0 : (short) SHORT.get(c, (int) (offset & CHUNK_MASK));
        }
        return (short) slowGet(offset, 2);
    }

    public void putU16(long offset, short v) {
        check(offset, 2);
        if (inOneChunk(offset, 2)) {
            SHORT.set(chunks.forWrite(offset >>> CHUNK_SHIFT), (int) (offset & CHUNK_MASK), v);
        } else {
            slowPut(offset, 2, v);
        }
    }

    /** A 16-bit ring index read with acquire semantics: later reads see what was written before its release. */
    public short getU16Acquire(long offset) {
        short v = getU16(offset);
        VarHandle.acquireFence();
        return v;
    }

    /** A 16-bit ring index published with release semantics: earlier writes are visible first. */
    public void putU16Release(long offset, short v) {
        VarHandle.releaseFence();
        putU16(offset, v);
    }

    public int getU32(long offset) {
        check(offset, 4);
        if (inOneChunk(offset, 4)) {
            byte[] c = chunks.forRead(offset >>> CHUNK_SHIFT);
            return c == null ? 0 : (int) INT.get(c, (int) (offset & CHUNK_MASK));
        }
        return (int) slowGet(offset, 4);
    }

    public void putU32(long offset, int v) {
        check(offset, 4);
        if (inOneChunk(offset, 4)) {
            INT.set(chunks.forWrite(offset >>> CHUNK_SHIFT), (int) (offset & CHUNK_MASK), v);
        } else {
            slowPut(offset, 4, v);
        }
    }

    public long getU64(long offset) {
        check(offset, 8);
        if (inOneChunk(offset, 8)) {
            byte[] c = chunks.forRead(offset >>> CHUNK_SHIFT);
            return c == null ? 0 : (long) LONG.get(c, (int) (offset & CHUNK_MASK));
        }
        return slowGet(offset, 8);
    }

    public void putU64(long offset, long v) {
        check(offset, 8);
        if (inOneChunk(offset, 8)) {
            LONG.set(chunks.forWrite(offset >>> CHUNK_SHIFT), (int) (offset & CHUNK_MASK), v);
        } else {
            slowPut(offset, 8, v);
        }
    }

    private long slowGet(long offset, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            byte[] c = chunks.forRead((offset + i) >>> CHUNK_SHIFT);
            int b = c == null ? 0 : c[(int) ((offset + i) & CHUNK_MASK)] & 0xff;
            v = (v << 8) | b;
        }
        return v;
    }

    private void slowPut(long offset, int len, long v) {
        for (int i = 0; i < len; i++) {
            chunks.forWrite((offset + i) >>> CHUNK_SHIFT)[(int) ((offset + i) & CHUNK_MASK)] = (byte) (v >>> (8 * i));
        }
    }

    /** Copies {@code len} bytes at {@code offset} into {@code dst[dstIndex..]}. */
    public void read(long offset, byte[] dst, int dstIndex, int len) {
        check(offset, len);
        Objects.checkFromIndexSize(dstIndex, len, dst.length);
        while (len > 0) {
            int in = (int) (offset & CHUNK_MASK);
            int n = Math.min(len, CHUNK_SIZE - in);
            byte[] c = chunks.forRead(offset >>> CHUNK_SHIFT);
            if (c == null) {
                java.util.Arrays.fill(dst, dstIndex, dstIndex + n, (byte) 0);
            } else {
                System.arraycopy(c, in, dst, dstIndex, n);
            }
            offset += n;
            dstIndex += n;
            len -= n;
        }
    }

    /** Copies {@code src[srcIndex..srcIndex+len)} to {@code offset}. */
    public void write(long offset, byte[] src, int srcIndex, int len) {
        check(offset, len);
        Objects.checkFromIndexSize(srcIndex, len, src.length);
        while (len > 0) {
            int in = (int) (offset & CHUNK_MASK);
            int n = Math.min(len, CHUNK_SIZE - in);
            System.arraycopy(src, srcIndex, chunks.forWrite(offset >>> CHUNK_SHIFT), in, n);
            offset += n;
            srcIndex += n;
            len -= n;
        }
    }

    /** Appends {@code len} bytes at {@code offset} to {@code dst} (its writer index advances). */
    public void readTo(long offset, ByteBuf dst, int len) {
        check(offset, len);
        dst.ensureWritable(len);
        while (len > 0) {
            int in = (int) (offset & CHUNK_MASK);
            int n = Math.min(len, CHUNK_SIZE - in);
            byte[] c = chunks.forRead(offset >>> CHUNK_SHIFT);
            if (c == null) {
                dst.writeZero(n);
            } else {
                dst.writeBytes(c, in, n);
            }
            offset += n;
            len -= n;
        }
    }

    /** Copies {@code len} readable bytes of {@code src} to {@code offset} (its reader index advances). */
    public void writeFrom(long offset, ByteBuf src, int len) {
        check(offset, len);
        if (src.readableBytes() < len) {
            throw new IndexOutOfBoundsException("source has " + src.readableBytes() + " bytes, " + len + " wanted");
        }
        while (len > 0) {
            int in = (int) (offset & CHUNK_MASK);
            int n = Math.min(len, CHUNK_SIZE - in);
            src.readBytes(chunks.forWrite(offset >>> CHUNK_SHIFT), in, n);
            offset += n;
            len -= n;
        }
    }

    /** Copies {@code len} bytes of {@code src} from {@code srcIndex} to {@code offset} (src's indices unchanged). */
    public void writeFrom(long offset, ByteBuf src, int srcIndex, int len) {
        check(offset, len);
        while (len > 0) {
            int in = (int) (offset & CHUNK_MASK);
            int n = Math.min(len, CHUNK_SIZE - in);
            src.getBytes(srcIndex, chunks.forWrite(offset >>> CHUNK_SHIFT), in, n);
            offset += n;
            srcIndex += n;
            len -= n;
        }
    }

    /** Fills {@code [offset, offset+len)} with zeros, dropping whole chunks so memory is given back. */
    public void zero(long offset, long len) {
        check(offset, len);
        while (len > 0) {
            int in = (int) (offset & CHUNK_MASK);
            long n = Math.min(len, CHUNK_SIZE - in);
            long index = offset >>> CHUNK_SHIFT;
            if (in == 0 && n == CHUNK_SIZE) {
                chunks.drop(index);
            } else {
                byte[] c = chunks.forRead(index);
                if (c != null) {
                    java.util.Arrays.fill(c, in, in + (int) n, (byte) 0);
                }
            }
            offset += n;
            len -= n;
        }
    }

    /**
     * Copies this block's contents into {@code dst}, a block of the same size (another process's
     * RAMBlock of the same idstr: a live migration's RAM transfer, QEMU's ram_save_* on the source and
     * ram_load on the destination): afterwards every byte of {@code dst} reads as here. Sparse: only
     * allocated chunks are copied, and a chunk {@code dst} has but this block does not is given back
     * (it read zeros here). Answers the bytes copied — this block's touched size, the
     * {@link #residentBytes()} a migration has to send, not its {@link #size()}.
     *
     * <p>A {@link ChunkView} on {@code dst} never sees stale memory: a chunk both blocks hold is
     * overwritten in place (the view reads the copied bytes), a dropped one counts in
     * {@link #chunkDrops()} (the view turns invalid and reopens through the block). Pins are not
     * contents: {@code dst}'s {@link #pins()} are its own kernel's and are left as they are.
     *
     * @throws IllegalArgumentException when {@code dst} is this block or of another size
     */
    public long copyTo(RamBlock dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst == this) {
            throw new IllegalArgumentException("RAM block '" + name + "' copied onto itself");
        }
        if (dst.size != size) {
            throw new IllegalArgumentException("RAM block '" + name + "' of " + U64.hex(size)
                    + " bytes copied into '" + dst.name + "' of " + U64.hex(dst.size) + " bytes");
        }
        return chunks.copyTo(dst.chunks);
    }

    @Override
    public String toString() {
        return "RamBlock[" + name + " " + U64.hex(size) + " bytes at " + base + "]";
    }
}
