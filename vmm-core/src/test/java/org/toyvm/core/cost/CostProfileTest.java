package org.toyvm.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.toyvm.core.units.Durations;
import org.toyvm.core.units.Sizes;

class CostProfileTest {
    @Test
    void defaultIsCalibratedOnPinningAt76NsPerPage() {
        CostProfile p = CostProfile.resolve("default");
        assertEquals(76, p.pinPerPageNs());
        // 0.020 s/GB warm pinning (Palmer): 76 ns × 262144 pages ≈ 20 ms per GiB.
        assertEquals(19_922_944, p.pinPerPageNs() * 262_144);
        assertEquals(0, CostProfile.resolve("zero").pinPerPageNs());
    }

    @Test
    void fileWithBaseAndOverrides() throws Exception {
        CostProfile p = CostProfile.parse("f", new StringReader("base = zero\n# comment\npin_per_page = 100ns\n"
                + "guest_boot = 1.5s\n"));
        assertEquals(100, p.pinPerPageNs());
        assertEquals(1_500_000_000L, p.guestBootNs());
        assertEquals(0, p.unpinPerPageNs());
    }

    @Test
    void badFilesNameTheKeyAndTheAcceptedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CostProfile.parse("f", new StringReader("pin_per_pag = 1ns")));
        assertTrue(e.getMessage().contains("pin_per_pag") && e.getMessage().contains("pin_per_page"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CostProfile.parse("f", new StringReader("pin_per_page = fast")));
        assertTrue(e.getMessage().contains("pin_per_page") && e.getMessage().contains("ns, us, ms or s"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CostProfile.parse("f", new StringReader("pin 1ns")));
        assertTrue(e.getMessage().contains("key = duration"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CostProfile.resolve("/no/such/profile"));
        assertTrue(e.getMessage().contains("default, zero"), e.getMessage());
    }

    @Test
    void sizesAndDurations() {
        assertEquals(8L << 30, Sizes.parse("8G"));
        assertEquals(1L << 40, Sizes.parse("1T"));
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(64L << 10, Sizes.parse("64k"));
        assertEquals("8G", Sizes.format(8L << 30));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("8X")).getMessage().contains("8X"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("99999999999T"));
        assertEquals(10_000_000, Durations.parseNanos("10ms"));
        assertEquals(1_500_000_000, Durations.parseNanos("1.5s"));
        assertEquals(250_000, Durations.parseNanos("250us"));
        assertEquals("10ms", Durations.format(10_000_000));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos("10"))
                .getMessage().contains("'10'"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseNanos("-1s"));
    }

    @Test
    void generationKeysHaveTheirPublishedFiguresAndParseLikeTheOthers() throws Exception {
        CostProfile d = CostProfile.defaults();
        // Tatulea's parallel suspend/resume series: before 37 ms / 16 ms, after 2.5 ms / 5 ms.
        assertEquals(37_000_000L, d.nanosPerUnit(CostKind.SUSPEND_SERIAL));
        assertEquals(16_000_000L, d.nanosPerUnit(CostKind.RESUME_SERIAL));
        assertEquals(2_500_000L, d.nanosPerUnit(CostKind.SUSPEND));
        // Parallel MKEYs: create 3-5x (4x taken), destroy 8x.
        assertEquals(4 * d.mrBuildPerGibNs(), d.mrBuildSerialPerGibNs());
        assertEquals(8 * d.mrDestroyPerGibNs(), d.mrDestroySerialPerGibNs());
        // Pre-created VQs: ~370 ms for 32 virtqueues before 6.11.
        assertEquals(370_000_000L / 32, d.vqCreateNs(), 100_000L);
        CostProfile p = CostProfile.parse("f", new StringReader("base = zero\nvq_create = 10ms\nsuspend_serial = 40ms\n"));
        assertEquals(10_000_000L, p.vqCreateNs());
        assertEquals(40_000_000L, p.suspendSerialNs());
        assertEquals(0, p.suspendNs(), "each generation reads its own key");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CostProfile.parse("p", new StringReader("vq_create = 61s")));
        assertEquals("cost profile p:1: vq_create = 61s is out of range 0ns..60s", e.getMessage());
        assertEquals(CostProfile.KEYS.length, d.toArray().length);
        assertEquals(d, CostProfile.of("default", d.toArray()));
        assertThrows(IllegalArgumentException.class, () -> CostProfile.of("short", new long[14]));
    }

    @Test
    void meterChargesPerUnit() {
        CostMeter m = new CostMeter(CostProfile.defaults());
        m.chargeUnits(CostKind.PIN, 1000);
        m.chargeUnits(CostKind.MR_BUILD, 2.0);
        assertEquals(76_000, m.total(CostKind.PIN));
        assertEquals(100_000_000L + 76_000, m.total());
    }

    @Test
    void valuesOutOfRangeNameFileLineKeyAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CostProfile.parse("p", "/tmp/p.profile", new StringReader("# c\nsuspend = 9223372036s\n")));
        assertEquals("cost profile /tmp/p.profile:2: suspend = 9223372036s is out of range 0ns..60s", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CostProfile.parse("p", new StringReader("pin_per_page = 1s")));
        assertEquals("cost profile p:1: pin_per_page = 1s is out of range 0ns..100us", e.getMessage());
        // Each bound itself is accepted, and the default profile sits inside every range.
        for (int i = 0; i < CostProfile.KEYS.length; i++) {
            String k = CostProfile.KEYS[i];
            long max = CostProfile.max(k);
            try {
                assertEquals(max, CostProfile.parse("p", new StringReader(k + " = " + Durations.format(max)))
                        .toArray()[i], k);
            } catch (java.io.IOException ex) {
                throw new AssertionError(ex);
            }
            assertTrue(CostProfile.defaults().toArray()[i] <= max, k);
            assertThrows(IllegalArgumentException.class,
                    () -> CostProfile.parse("p", new StringReader(k + " = " + (max + 1) + "ns")), k);
        }
    }

    @Test
    void sizesTakeAsciiDigitsOnly() {
        assertEquals(4L << 50, Sizes.parse("4P"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("\u0663G")); // ARABIC-INDIC DIGIT THREE
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("+8G"));
    }
}
