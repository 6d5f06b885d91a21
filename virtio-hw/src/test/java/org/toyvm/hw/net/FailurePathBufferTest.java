package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.DmaTranslation;

/**
 * An unexpected failure in the middle of a chain (here: the parent's translation throwing for the
 * buffer pages) never escapes to the event loop or the wire, sets NEEDS_RESET, and gives back the
 * TX or RX frame buffer it was holding (the fixture's leak check runs on close).
 */
class FailurePathBufferTest {
    private static void failOnBufferPages(NicFixture f) {
        f.nic.setTranslations(asid -> asid != 0 ? null : new DmaTranslation() {
            @Override
            public DmaEntry find(Iova iova) {
                if (iova.value() >= 0x40000 && iova.value() < 0x48000) {
                    throw new IllegalStateException("parent bug");
                }
                return f.map.find(iova);
            }

            @Override
            public long generation() {
                return f.map.generation();
            }
        });
    }

    @Test
    void txFrameIsReleasedWhenTheChainFailsUnexpectedly() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            failOnBufferPages(f);
            f.putTxBuffer(0x40000, NicFixture.frame(60, 1));
            tx.publish(tx.single(0x40000, 72, false));
            assertTrue((f.nic.status() & VirtioStatus.NEEDS_RESET) != 0);
            assertTrue(f.nic.needsResetReason().startsWith("internal error"), f.nic.needsResetReason());
            assertEquals(0, f.received.size());
        }
    }

    @Test
    void rxFrameIsReleasedWhenTheChainFailsUnexpectedly() {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.publish(rx.single(0x40000, 2048, true));
            failOnBufferPages(f);
            f.sendFromWire(NicFixture.frame(60, 1)); // must not throw out of the wire's receiver
            assertTrue((f.nic.status() & VirtioStatus.NEEDS_RESET) != 0);
            f.sendFromWire(NicFixture.frame(60, 2)); // dropped: not running
        }
    }
}
