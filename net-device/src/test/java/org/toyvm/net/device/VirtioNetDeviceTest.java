package org.toyvm.net.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.toyvm.net.device.VirtioMmioLayout.*;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class VirtioNetDeviceTest {
    static final long VERSION_1 = 1L << 32;
    static final long MAC = 1L << 5;

    /** Records what the device asked of the backend. */
    static final class FakeBackend implements VirtioNetBackend {
        final List<String> calls = new ArrayList<>();
        List<QueueConfig> started;
        String failStartWith;

        @Override
        public long deviceFeatures() {
            return VERSION_1 | MAC;
        }

        @Override
        public int maxQueueSize() {
            return 256;
        }

        @Override
        public int numQueues() {
            return 3;
        }

        @Override
        public byte[] readConfig() {
            return new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x56, 1, 0, 1, 0, (byte) 0xdc, 0x05};
        }

        @Override
        public String start(long driverFeatures, List<QueueConfig> queues) {
            calls.add("start " + Long.toHexString(driverFeatures));
            started = queues;
            return failStartWith;
        }

        @Override
        public void reset() {
            calls.add("reset");
        }
    }

    final FakeBackend backend = new FakeBackend();
    final VirtioNetDevice dev = new VirtioNetDevice(backend);

    private void probe(long features) {
        dev.write(STATUS, 0, 4);
        dev.write(STATUS, 1, 4);
        dev.write(STATUS, 3, 4);
        dev.write(DRIVER_FEATURES_SEL, 0, 4);
        dev.write(DRIVER_FEATURES, features & 0xffff_ffffL, 4);
        dev.write(DRIVER_FEATURES_SEL, 1, 4);
        dev.write(DRIVER_FEATURES, features >>> 32, 4);
        dev.write(STATUS, 11, 4);
    }

    @Test
    void identifiesAsVirtioNetOverMmio() {
        assertEquals(MAGIC, dev.read(MAGIC_VALUE, 4));
        assertEquals(2, dev.read(VERSION, 4));
        assertEquals(1, dev.read(DEVICE_ID, 4));
        dev.write(DEVICE_FEATURES_SEL, 1, 4);
        assertEquals(1, dev.read(DEVICE_FEATURES, 4));
        dev.write(DEVICE_FEATURES_SEL, 0, 4);
        assertEquals(MAC, dev.read(DEVICE_FEATURES, 4));
    }

    @Test
    void linuxStyleProbeStartsTheBackendWithTheQueues() {
        probe(VERSION_1 | MAC);
        assertEquals(11, dev.read(STATUS, 4));
        for (int q = 0; q < 2; q++) {
            dev.write(QUEUE_SEL, q, 4);
            assertEquals(256, dev.read(QUEUE_NUM_MAX, 4));
            dev.write(QUEUE_NUM, 256, 4);
            dev.write(QUEUE_DESC_LOW, 0x1000 * (q + 1), 4);
            dev.write(QUEUE_DESC_HIGH, 1, 4);
            dev.write(QUEUE_DRIVER_LOW, 0x2000, 4);
            dev.write(QUEUE_DEVICE_LOW, 0x3000, 4);
            dev.write(QUEUE_READY, 1, 4);
        }
        dev.write(STATUS, 15, 4);
        assertEquals(15, dev.read(STATUS, 4));
        assertTrue(dev.started());
        assertEquals(List.of("reset", "start 100000020"), backend.calls);
        VirtioNetBackend.QueueConfig q1 = backend.started.get(1);
        assertEquals(new VirtioNetBackend.QueueConfig(1, 256, 0x1_0000_2000L, 0x2000, 0x3000, true), q1);
        assertFalse(backend.started.get(2).ready());
        // Reboot: status 0 resets the backend and forgets the queues.
        dev.write(STATUS, 0, 4);
        assertEquals(0, dev.read(STATUS, 4));
        assertFalse(dev.started());
        dev.write(QUEUE_SEL, 1, 4);
        assertEquals(0, dev.read(QUEUE_READY, 4));
    }

    @Test
    void featuresOkIsRefusedForFeaturesNotOffered() {
        probe(VERSION_1 | MAC | (1L << 22));
        assertEquals(3, dev.read(STATUS, 4), "FEATURES_OK must not stick");
        probe(MAC);
        assertEquals(3, dev.read(STATUS, 4), "VERSION_1 is required");
    }

    @Test
    void backendThatCannotStartLeavesNeedsReset() {
        backend.failStartWith = "no mapping";
        probe(VERSION_1);
        dev.write(STATUS, 15, 4);
        assertEquals(15 | VirtioNetDevice.S_NEEDS_RESET, dev.read(STATUS, 4));
        assertEquals("no mapping", dev.lastStartError());
        dev.write(STATUS, 0, 4);
        assertNull(dev.lastStartError());
    }

    @Test
    void statusThatClearsBitsWithoutResetIsIgnored() {
        probe(VERSION_1);
        dev.write(STATUS, 1, 4);
        assertEquals(11, dev.read(STATUS, 4));
        assertEquals(1, dev.guestErrors());
    }

    @Test
    void configSpaceReadsMacAndMtu() {
        assertEquals(0x52, dev.read(CONFIG, 1));
        assertEquals(0x05dc, dev.read(CONFIG + 10, 2));
        assertEquals(0, dev.read(CONFIG + 11, 2));
    }

    @Property(tries = 300)
    void anyRegisterWriteIsSurvived(@ForAll int offset, @ForAll int value, @ForAll int sizeSeed) {
        int size = new int[] {1, 2, 4, 8}[Math.floorMod(sizeSeed, 4)];
        dev.write(Math.floorMod(offset, 0x200), value, size);
        dev.read(Math.floorMod(offset, 0x200), size);
        // Invariant: a started device has DRIVER_OK.
        assertTrue(!dev.started() || (dev.status() & VirtioNetDevice.S_DRIVER_OK) != 0);
    }
}
