package org.toyvm.fuzz;

import org.junit.jupiter.api.Test;

/** The uapi surface at a fixed seed (see {@link Smoke}); the campaign runs it at scale with -Pfuzz. */
class UapiFuzzTest {
    @Test
    void fixedSeedInputsFindNothing() {
        Smoke.run("uapi", 1500);
    }
}
