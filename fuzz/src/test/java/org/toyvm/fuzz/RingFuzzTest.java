package org.toyvm.fuzz;

import org.junit.jupiter.api.Test;

/** The ring surface at a fixed seed (see {@link Smoke}); the campaign runs it at scale with -Pfuzz. */
class RingFuzzTest {
    @Test
    void fixedSeedInputsFindNothing() {
        Smoke.run("ring", 1000);
    }
}
