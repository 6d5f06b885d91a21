package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finding profile-1 (findings-fuzz.md): a profile accepted with an enormous per-page cost made the
 * CostMeter's totals overflow to negative time when a large guest's pages were charged.
 */
class FindingProfileMeterOverflowTest {
    @Test
    void hugePerPageCost() {
        assertDoesNotThrow(() -> new ProfileSurface().run(List.of("unpin_per_page=4294967297ms # c")));
    }
}
