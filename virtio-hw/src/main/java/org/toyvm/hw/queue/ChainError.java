package org.toyvm.hw.queue;

/** Why a descriptor chain was refused (docs/bad-input.md §1–11); each is counted. */
public enum ChainError {
    NONE,
    /** More descriptors than the queue (or indirect table) holds: a loop or an over-long chain (§1). */
    TOO_LONG,
    /** A {@code next} index at or beyond the table size (§2). */
    NEXT_OUT_OF_RANGE,
    /** An indirect descriptor inside an indirect table (§4). */
    NESTED_INDIRECT,
    /** Indirect table length 0, not a multiple of 16, or more entries than the queue size (§4). */
    BAD_INDIRECT_LEN,
    /** INDIRECT together with NEXT (§4). */
    INDIRECT_WITH_NEXT,
    /** INDIRECT used without VIRTIO_RING_F_INDIRECT_DESC (§5). */
    INDIRECT_NOT_NEGOTIATED,
    /** A device-readable descriptor after a device-writable one (§6). */
    READABLE_AFTER_WRITABLE,
    /** No bytes at all (§7). */
    EMPTY,
    /** addr + len wraps, or the chain's total length exceeds 2^32 (§9). */
    LENGTH_OVERFLOW,
    /** Descriptor table or buffer not reachable through the DMA translation (§8, §14–17). */
    DMA_FAULT,
    /** TX chain with writable descriptors, or RX chain with read-only ones (§11). */
    WRONG_DIRECTION,
    /** TX frame shorter than the net header + an Ethernet header, or longer than the MTU allows (§11). */
    BAD_FRAME_LENGTH,
    /** RX buffer too short for the header and the frame (§11). */
    RX_BUFFER_TOO_SHORT
}
