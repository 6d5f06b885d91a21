package org.toyvm.fuzz;

import org.junit.jupiter.api.Test;

/** The mmio surface at a fixed seed (see {@link Smoke}); the campaign runs it at scale with -Pfuzz. */
class MmioFuzzTest {
    @Test
    void fixedSeedInputsFindNothing() {
        Smoke.run("mmio", 1000);
    }
}
