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
        // Tatulea's parallel suspend/resume series, 1 device x 32 VQs: before 37 ms / 16 ms, after 2.5 ms / 5 ms.
        assertEquals(37_000_000L, CostProfile.PUBLISHED_VQS * d.nanosPerUnit(CostKind.SUSPEND_VQ_SERIAL));
        assertEquals(16_000_000L, CostProfile.PUBLISHED_VQS * d.nanosPerUnit(CostKind.RESUME_VQ_SERIAL));
        assertEquals(2_500_000L, d.parallelSuspendNs(CostProfile.PUBLISHED_VQS), 100);
        assertEquals(5_000_000L, d.parallelResumeNs(CostProfile.PUBLISHED_VQS), 100);
        assertEquals(0, d.parallelSuspendNs(0));
        assertEquals(d.suspendVqSerialNs(), d.parallelSuspendNs(1), "a batch of one: one serial round trip");
        assertEquals(2_500_000L, d.nanosPerUnit(CostKind.SUSPEND), "the other parents' whole-device figure");
        // Parallel MKEYs: create 3-5x (4x taken), destroy 8x.
        assertEquals(4 * d.mrBuildPerGibNs(), d.mrBuildSerialPerGibNs());
        assertEquals(8 * d.mrDestroyPerGibNs(), d.mrDestroySerialPerGibNs());
        // Pre-created VQs: ~370 ms for 32 virtqueues before 6.11.
        assertEquals(370_000_000L / 32, d.vqCreateNs(), 100_000L);
        CostProfile p = CostProfile.parse("f", new StringReader("base = zero\nvq_create = 10ms\nsuspend_vq_serial = 4ms\n"));
        assertEquals(10_000_000L, p.vqCreateNs());
        assertEquals(4_000_000L, p.suspendVqSerialNs());
        assertEquals(0, p.suspendNs() + p.suspendBatchNs() + p.suspendVqNs(), "each generation reads its own key");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CostProfile.parse("p", new StringReader("vq_create = 61s")));
        assertEquals("cost profile p:1: vq_create = 61s is out of range 0ns..60s", e.getMessage());
        assertEquals(CostProfile.KEYS.length, d.toArray().length);
        assertEquals(d, CostProfile.of("default", d.toArray()));
        assertThrows(IllegalArgumentException.class, () -> CostProfile.of("short", new long[14]));
    }

    @Test
    void profileFilesWithWholeDeviceFiguresKeepTheirMeaning() throws Exception {
        // A file from before the per-VQ keys: suspend_serial / resume_serial are the 32-VQ device's figures.
        CostProfile p = CostProfile.parse("old", new StringReader("suspend_serial = 64ms\nresume_serial = 32ms\n"));
        assertEquals(2_000_000L, p.suspendVqSerialNs());
        assertEquals(1_000_000L, p.resumeVqSerialNs());
        assertEquals(64_000_000L, CostProfile.PUBLISHED_VQS * p.suspendVqSerialNs());
        // suspend / resume: still the whole-device figure, and a 32-VQ mlx5 batch on 6.12 costs it.
        CostProfile q = CostProfile.parse("old", new StringReader("base = zero\nsuspend = 5ms\nresume = 10ms\n"));
        assertEquals(5_000_000L, q.suspendNs());
        assertEquals(5_000_000L, q.parallelSuspendNs(CostProfile.PUBLISHED_VQS), 100);
        assertEquals(10_000_000L, q.parallelResumeNs(CostProfile.PUBLISHED_VQS), 100);
        assertEquals(2 * CostProfile.defaults().suspendBatchNs(), q.suspendBatchNs(), 10, "the default shape, scaled");
        // Given alongside the batch keys, suspend does not touch them.
        CostProfile r = CostProfile.parse("new", new StringReader("suspend = 5ms\nsuspend_vq = 1us\n"));
        assertEquals(1_000L, r.suspendVqNs());
        assertEquals(CostProfile.defaults().suspendBatchNs(), r.suspendBatchNs());
        // Both forms of one figure: refused, naming both.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CostProfile.parse("both",
                new StringReader("suspend_serial = 37ms\nsuspend_vq_serial = 1ms\n")));
        assertTrue(e.getMessage().contains("suspend_serial") && e.getMessage().contains("suspend_vq_serial"),
                e.getMessage());
        // The old keys keep their old range.
        e = assertThrows(IllegalArgumentException.class,
                () -> CostProfile.parse("p", new StringReader("resume_serial = 61s")));
        assertEquals("cost profile p:1: resume_serial = 61s is out of range 0ns..60s", e.getMessage());
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
