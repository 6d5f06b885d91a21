package org.toyvm.core.virtio;

/**
 * Split virtqueue layout (virtio 1.x §2.7), in the style of a record descriptor: each structure as a
 * diagram plus static offset functions. All fields little-endian.
 *
 * <pre>
 * Descriptor table: N × 16 bytes, align 16
 *   0 addr (u64) | 8 len (u32) | 12 flags (u16: NEXT 1, WRITE 2, INDIRECT 4) | 14 next (u16)
 *
 * Available ring: 6 + 2N bytes, align 2
 *   0 flags (u16: NO_INTERRUPT 1) | 2 idx (u16) | 4 ring[N] (u16 each) | 4+2N used_event (u16)
 *
 * Used ring: 6 + 8N bytes, align 4
 *   0 flags (u16: NO_NOTIFY 1) | 2 idx (u16) | 4 ring[N] {id u32, len u32} | 4+8N avail_event (u16)
 * </pre>
 */
public final class SplitRing {
    public static final int DESC_SIZE = 16;
    public static final int DESC_ADDR = 0;
    public static final int DESC_LEN = 8;
    public static final int DESC_FLAGS = 12;
    public static final int DESC_NEXT = 14;
    public static final int DESC_F_NEXT = 1;
    public static final int DESC_F_WRITE = 2;
    public static final int DESC_F_INDIRECT = 4;

    public static final int AVAIL_FLAGS = 0;
    public static final int AVAIL_IDX = 2;
    public static final int AVAIL_RING = 4;
    public static final int AVAIL_F_NO_INTERRUPT = 1;

    public static final int USED_FLAGS = 0;
    public static final int USED_IDX = 2;
    public static final int USED_RING = 4;
    public static final int USED_ELEM_SIZE = 8;
    public static final int USED_ELEM_ID = 0;
    public static final int USED_ELEM_LEN = 4;
    public static final int USED_F_NO_NOTIFY = 1;

    public static final int DESC_ALIGN = 16;
    public static final int AVAIL_ALIGN = 2;
    public static final int USED_ALIGN = 4;
    /** Largest split queue size (virtio 1.x §2.7: queue size is a power of 2 at most 32768). */
    public static final int MAX_QUEUE_SIZE = 32768;

    private SplitRing() {
    }

    /** Offset of descriptor {@code i} in the table. */
    public static long desc(int i) {
        return (long) i * DESC_SIZE;
    }

    /** Offset of avail ring slot {@code i}. */
    public static long availRing(int i) {
        return AVAIL_RING + 2L * i;
    }

    /** Offset of used_event in the avail ring of a queue of size {@code n}. */
    public static long usedEvent(int n) {
        return AVAIL_RING + 2L * n;
    }

    /** Offset of used ring element {@code i}. */
    public static long usedElem(int i) {
        return USED_RING + (long) USED_ELEM_SIZE * i;
    }

    /** Offset of avail_event in the used ring of a queue of size {@code n}. */
    public static long availEvent(int n) {
        return USED_RING + (long) USED_ELEM_SIZE * n;
    }

    public static long descTableSize(int n) {
        return (long) DESC_SIZE * n;
    }

    public static long availSize(int n) {
        return 6 + 2L * n;
    }

    public static long usedSize(int n) {
        return 6 + 8L * n;
    }

    /** True for a valid split queue size: a power of two from 1 to 32768. */
    public static boolean validSize(int n) {
        return n > 0 && n <= MAX_QUEUE_SIZE && Integer.bitCount(n) == 1;
    }

    /** The legacy single-area size: descriptors and avail ring, then the used ring aligned to {@code align}. */
    public static long vringSize(int n, int align) {
        long used = (descTableSize(n) + availSize(n) + align - 1) & -(long) align;
        return used + usedSize(n);
    }

    /**
     * The event-index test (virtio 1.x §2.7.10): should the other side be notified, given the event
     * index it published and the index moving from {@code oldIdx} to {@code newIdx}.
     */
    public static boolean needEvent(int eventIdx, int newIdx, int oldIdx) {
        return ((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
    }
}
