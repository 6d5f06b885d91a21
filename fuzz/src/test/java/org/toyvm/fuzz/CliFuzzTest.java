package org.toyvm.fuzz;

import org.junit.jupiter.api.Test;

/** The cli surface at a fixed seed (see {@link Smoke}); the campaign runs it at scale with -Pfuzz. */
class CliFuzzTest {
    @Test
    void fixedSeedInputsFindNothing() {
        Smoke.run("cli", 3000);
    }
}
