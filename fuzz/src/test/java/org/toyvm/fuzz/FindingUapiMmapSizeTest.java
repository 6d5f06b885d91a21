package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finding uapi-1 (findings-fuzz.md): {@code mmap NAME SIZE} with a size of 0 or of 2^63 or more
 * escaped the console as IllegalArgumentException from RamBlock, and a size within a page of 2^64
 * as ArithmeticException from Pages.alignUp, instead of a ScriptError naming the line.
 */
class FindingUapiMmapSizeTest {
    @Test
    void mmapOfASizeAbove2To63() {
        assertDoesNotThrow(() -> new UapiSurface().run(List.of("mmap shm 0xec74780a09749202 shared")));
        assertDoesNotThrow(() -> new UapiSurface().run(List.of("mmap a 0xffffffffffffffff")));
        assertDoesNotThrow(() -> new UapiSurface().run(List.of("mmap shm 0xfffffffffffff000")));
        assertDoesNotThrow(() -> new UapiSurface().run(List.of("mmap a 0x0 private")));
    }
}
