package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;

/**
 * The default build's share of the campaign: one surface, a fixed seed, a small count — the same
 * inputs every run, so a regression shows as a red build, never as luck.
 */
final class Smoke {
    /** Fixed campaign seed of the default build (each surface mixes in its name). */
    static final long SEED = 0x70_79_76_6dL;

    private Smoke() {
    }

    static SurfaceResult run(String surface, int inputs) {
        FuzzCampaign.quietLogs();
        SurfaceRunner r = new SurfaceRunner(surface, Surfaces.all().get(surface), FuzzCampaign.surfaceSeed(SEED, surface),
                inputs, 600_000_000_000L, 120_000_000_000L);
        SurfaceResult res = r.run();
        String findings = res.findings().stream().map(FuzzCampaign::render).collect(Collectors.joining("\n"));
        assertEquals(inputs, res.inputs(), "every input ran");
        assertTrue(res.clean(), () -> FuzzCampaign.line(res) + "\n" + findings);
        assertTrue(res.distinctOutcomes() > 1, "the inputs reach more than one outcome");
        return res;
    }
}
