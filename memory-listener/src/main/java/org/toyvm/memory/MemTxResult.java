package org.toyvm.memory;

/** Outcome of a guest-physical access through an AddressSpace. */
public enum MemTxResult {
    OK,
    /** Nothing is mapped at (part of) the address: reads return zero, writes are dropped. */
    DECODE_ERROR
}
