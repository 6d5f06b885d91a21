package org.toyvm.core.mem;

/** An access outside a RAM block or outside any block of a host address space. */
public final class MemoryAccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MemoryAccessException(String message) {
        super(message);
    }
}
