package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The campaign at scale, run only by {@code mvn -B verify -Pfuzz} with the settings of the
 * {@code fuzz.*} system properties (surfaces, inputs, seed — "random" by default, printed —
 * budget, report). Fails when any surface crashed, hung, leaked or broke an oracle.
 */
class FuzzCampaignIT {
    @Test
    void campaign() {
        List<String> args = new ArrayList<>();
        for (String k : new String[] {"surfaces", "inputs", "seed", "budget", "report", "replay"}) {
            String v = System.getProperty("fuzz." + k);
            if (v != null && !v.isBlank()) {
                args.add("--" + k);
                args.add(v);
            }
        }
        int rc = FuzzCampaign.run(FuzzCampaign.parse(args.toArray(new String[0])), System.out);
        assertEquals(0, rc, "the campaign found crashes, oracle failures, leaks or hangs (listed above)");
    }
}
