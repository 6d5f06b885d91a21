package org.toyvm.fuzz;

import org.junit.jupiter.api.Test;

/** The iotlb surface at a fixed seed (see {@link Smoke}); the campaign runs it at scale with -Pfuzz. */
class IotlbFuzzTest {
    @Test
    void fixedSeedInputsFindNothing() {
        Smoke.run("iotlb", 1000);
    }
}
