package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finding cli-1 (findings-fuzz.md; issue 11 item 1): with a ping interval well below the boot time
 * and no warm-up, a reboot was reported restored after 0.1 ms though the guest boots for 2 s.
 */
class FindingCliDowntimeBelowBootTest {
    @Test
    void downtimeIsNeverShorterThanTheBoot() {
        assertDoesNotThrow(() -> new CliSurface().run(List.of("#run", "run", "--memory", "64M", "--reboots", "1",
                "--json", "-", "--cost-profile", "default", "--kernel", "6.7", "--parent", "platform", "--policy",
                "naive", "--ping-interval", "100us", "--warmup", "0s", "--settle", "0s", "--timeout", "3s")));
    }
}
