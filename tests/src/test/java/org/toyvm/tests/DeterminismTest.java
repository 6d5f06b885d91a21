package org.toyvm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vm.report.Json;

class DeterminismTest {
    @Test
    void twoVirtualRunsGiveByteIdenticalJson() {
        for (ResetPolicy p : ResetPolicy.values()) {
            var cfg = Runs.defaults(2L << 30, p, 60_000_000_000L).withReboots(2);
            String a = new Json().pretty(Runs.run(cfg).report());
            String b = new Json().pretty(Runs.run(cfg).report());
            assertEquals(a, b, p.label());
        }
    }
}
