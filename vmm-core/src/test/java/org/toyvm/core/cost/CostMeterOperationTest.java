package org.toyvm.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The meter as the causality of one synchronous operation: start lag plus the cost charged so far. */
class CostMeterOperationTest {
    @Test
    void outsideAnOperationNothingLags() {
        CostMeter m = new CostMeter(CostProfile.defaults());
        m.charge(CostKind.PIN, 1000);
        assertFalse(m.inOperation());
        assertEquals(0, m.lagNanos());
        assertEquals(0, m.chargedInOperation());
    }

    @Test
    void insideAnOperationTheLagIsTheStartPlusTheCostChargedSoFar() {
        CostMeter m = new CostMeter(CostProfile.defaults());
        m.charge(CostKind.PIN, 1000); // before the operation: not part of it
        m.beginOperation(50);
        assertEquals(50, m.lagNanos());
        m.charge(CostKind.PIN, 700);
        assertEquals(750, m.lagNanos());
        m.beginOperation(999); // nested: belongs to the outer one, its start lag is ignored
        m.charge(CostKind.IOCTL, 30);
        assertEquals(0, m.endOperation());
        assertEquals(780, m.lagNanos());
        assertEquals(730, m.endOperation());
        assertEquals(0, m.lagNanos());
        assertThrows(IllegalStateException.class, m::endOperation);
    }

    @Test
    void theLagSaturatesAtTheEndOfTheClock() {
        CostMeter m = new CostMeter(CostProfile.defaults());
        m.beginOperation(Long.MAX_VALUE - 10);
        m.charge(CostKind.PIN, 100);
        assertEquals(Long.MAX_VALUE, m.lagNanos());
        assertTrue(m.endOperation() > 0);
        m.beginOperation(-5); // a start in the past is now
        assertEquals(0, m.lagNanos());
        m.endOperation();
    }
}
