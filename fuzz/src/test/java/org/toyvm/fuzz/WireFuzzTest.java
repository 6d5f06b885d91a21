package org.toyvm.fuzz;

import org.junit.jupiter.api.Test;

/** The wire surface at a fixed seed (see {@link Smoke}); the campaign runs it at scale with -Pfuzz. */
class WireFuzzTest {
    @Test
    void fixedSeedInputsFindNothing() {
        Smoke.run("wire", 3000);
    }
}
