package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The cli surface at a fixed seed (see {@link Smoke}); the campaign runs it at scale with -Pfuzz. */
class CliFuzzTest {
    @Test
    void fixedSeedInputsFindNothing() {
        SurfaceResult r = Smoke.run("cli", 3000);
        System.out.println(FuzzCampaign.line(r) + " " + r.extra());
        // The shape vectors (--queues, --nics, --memlock, --memory-backend) ran, some refused as a one-line
        // usage error and some run to the end.
        assertTrue(r.extra().matches(".* [1-9][0-9]* shape vectors, exit codes \\{0=[0-9]+, (1=[0-9]+, )?2=[0-9]+}.*"),
                r.extra());
    }
}
