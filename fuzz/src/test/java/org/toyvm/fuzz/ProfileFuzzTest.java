package org.toyvm.fuzz;

import org.junit.jupiter.api.Test;

/** The profile surface at a fixed seed (see {@link Smoke}); the campaign runs it at scale with -Pfuzz. */
class ProfileFuzzTest {
    @Test
    void fixedSeedInputsFindNothing() {
        Smoke.run("profile", 3000);
    }
}
