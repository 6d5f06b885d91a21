package org.toyvm.memory;

/**
 * QEMU's MemoryListener: told about every change of an address space's FlatView. Every callback is
 * optional. Lower {@link #priority()} values are called earlier for add/start callbacks and later
 * for del/stop callbacks.
 */
public interface MemoryListener {
    default int priority() {
        return 0;
    }

    default String name() {
        return getClass().getSimpleName();
    }

    default void begin() {
    }

    default void commit() {
    }

    default void regionAdd(MemoryRegionSection section) {
    }

    default void regionDel(MemoryRegionSection section) {
    }

    default void regionNop(MemoryRegionSection section) {
    }

    default void logStart(MemoryRegionSection section, int oldMask, int newMask) {
    }

    default void logStop(MemoryRegionSection section, int oldMask, int newMask) {
    }
}
