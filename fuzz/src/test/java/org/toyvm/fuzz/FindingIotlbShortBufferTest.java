package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finding iotlb-1 (findings-fuzz.md): {@code VhostVdpaDevice.write(bytes, len)} with {@code len}
 * larger than the buffer threw IllegalArgumentException out of the kernel model; write(2) answers
 * -1 with an errno (EFAULT for a buffer shorter than the count) instead.
 */
class FindingIotlbShortBufferTest {
    @Test
    void writeCountLargerThanTheBuffer() {
        byte[] b = HexFormat.of().parseHex("0799c8344e62b3668331ea6670fe21b386691a3be245aca71c14ea9bd6c070eda06d2f394bc4fa");
        assertDoesNotThrow(() -> new KernelSurface().run(List.of(new KernelSurface.Raw(b, 41))));
    }
}
