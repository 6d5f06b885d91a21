package org.toyvm.net.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.toyvm.core.virtio.VirtioStatus.*;
import static org.toyvm.net.device.VirtioMmioLayout.*;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.virtio.VirtioFeatures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.virtio.VirtioFeatures;

/**
 * Every 32-bit virtio-mmio register at the edges of its width — 0, 2^31−1, 2^31, 2^32−1 — read as
 * unsigned and checked before it selects anything, with its defined outcome; offsets and access
 * sizes likewise (offsets are 64-bit: also 2^63 and 2^64−1).
 */
class MmioRegisterBoundaryTest {
    static final long VERSION_1 = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1);
    static final long MAC = VirtioFeatures.bit(VirtioFeatures.NET_F_MAC);

    final VirtioNetDeviceTest.FakeBackend backend = new VirtioNetDeviceTest.FakeBackend();
    final VirtioNetDevice dev = new VirtioNetDevice(backend);

    /** ACKNOWLEDGE | DRIVER | FEATURES_OK with VERSION_1 | MAC. */
    private void probe() {
        dev.write(STATUS, ACKNOWLEDGE, 4);
        dev.write(STATUS, ACKNOWLEDGE | DRIVER, 4);
        dev.write(DRIVER_FEATURES_SEL, 0, 4);
        dev.write(DRIVER_FEATURES, MAC, 4);
        dev.write(DRIVER_FEATURES_SEL, 1, 4);
        dev.write(DRIVER_FEATURES, 1, 4);
        dev.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK, 4);
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK, dev.read(STATUS, 4));
    }

    private void setUpQueue0() {
        dev.write(QUEUE_SEL, 0, 4);
        dev.write(QUEUE_NUM, 16, 4);
        dev.write(QUEUE_READY, 1, 4);
    }

    private VirtioNetBackend.QueueConfig startAndGetQueue0() {
        dev.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK, 4);
        assertTrue(dev.started());
        return backend.started.get(0);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void deviceFeaturesSelSelectsWordZeroOneOrNothing(long sel) {
        dev.write(DEVICE_FEATURES_SEL, sel, 4);
        // virtio 1.x §4.2.2: bits sel*32..sel*32+31; only words 0 and 1 exist.
        assertEquals(sel == 0 ? MAC : 0, dev.read(DEVICE_FEATURES, 4));
        assertEquals(0, dev.guestErrors());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void driverFeaturesSelAboveOneWritesNothing(long sel) {
        dev.write(DRIVER_FEATURES_SEL, sel, 4);
        dev.write(DRIVER_FEATURES, 0xffff_ffffL, 4);
        // 2^31 used to be multiplied by 32 as an int (shift 0) and land in word 0.
        assertEquals(sel == 0 ? 0xffff_ffffL : 0, dev.driverFeatures());
        assertEquals(sel == 0 ? 0 : 1, dev.guestErrors());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void driverFeaturesValueIsTheUnsignedWord(long word) {
        dev.write(DRIVER_FEATURES_SEL, 1, 4);
        dev.write(DRIVER_FEATURES, word, 4);
        dev.write(DRIVER_FEATURES_SEL, 0, 4);
        dev.write(DRIVER_FEATURES, word, 4);
        assertEquals(word << 32 | word, dev.driverFeatures());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void queueSelBelowQueueMaxSelectsAboveIsIgnored(long sel) {
        dev.write(QUEUE_SEL, 2, 4);
        dev.write(QUEUE_SEL, sel, 4);
        // virtio_mmio_write: value < VIRTIO_QUEUE_MAX selects, anything else is ignored (queue 2 stays).
        assertEquals(sel == 0 ? 0 : 1, dev.guestErrors());
        assertEquals(256, dev.read(QUEUE_NUM_MAX, 4));
        dev.write(QUEUE_NUM, 64, 4);
        dev.write(QUEUE_READY, 1, 4);
        probe();
        dev.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK, 4);
        int selected = sel == 0 ? 0 : 2;
        assertEquals(64, backend.started.get(selected).size());
        assertTrue(backend.started.get(selected).ready());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 3, 512, 0x1_0000_0010L})
    void queueNumOutsidePowersOfTwoUpToTheMaximumIsIgnored(long num) {
        probe();
        setUpQueue0();
        dev.write(QUEUE_NUM, num, 4); // 0x1_0000_0010: only the low 32 bits (16) are the register's
        assertEquals(16, startAndGetQueue0().size(), "the last valid size stays");
        assertEquals((num & 0xffff_ffffL) == 16 ? 0 : 1, dev.guestErrors());
    }

    static Stream<Arguments> addressHalves() {
        long[] edges = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL};
        List<Arguments> a = new ArrayList<>();
        for (long lo : edges) {
            for (long hi : edges) {
                a.add(Arguments.of(lo, hi));
            }
        }
        return a.stream();
    }

    /** Ring addresses are two unsigned halves: high 2^31 gives 2^63, both 2^32−1 give 2^64−1. */
    @ParameterizedTest
    @MethodSource("addressHalves")
    void ringAddressesAreTwoUnsignedHalves(long lo, long hi) {
        probe();
        setUpQueue0();
        int[][] regs = {{QUEUE_DESC_LOW, QUEUE_DESC_HIGH}, {QUEUE_DRIVER_LOW, QUEUE_DRIVER_HIGH},
            {QUEUE_DEVICE_LOW, QUEUE_DEVICE_HIGH}};
        for (int[] r : regs) {
            dev.write(r[1], 0xdead_beefL, 4); // a stale high half is replaced, not or-ed
            dev.write(r[0], lo, 4);
            dev.write(r[1], hi, 4);
        }
        VirtioNetBackend.QueueConfig q = startAndGetQueue0();
        long expected = hi << 32 | lo;
        assertEquals(Gpa.of(expected), q.desc());
        assertEquals(Gpa.of(expected), q.avail());
        assertEquals(Gpa.of(expected), q.used());
        assertEquals(0, dev.guestErrors());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void ringAddressWritesAfterDriverOkAreIgnored(long v) {
        probe();
        setUpQueue0();
        dev.write(QUEUE_DESC_LOW, 0x1000, 4);
        VirtioNetBackend.QueueConfig before = startAndGetQueue0();
        dev.write(QUEUE_DESC_LOW, v, 4);
        dev.write(QUEUE_DESC_HIGH, v, 4);
        assertEquals(2, dev.guestErrors());
        assertEquals(Gpa.of(0x1000), before.desc());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void queueReadyIsAnyNonZeroValue(long v) {
        dev.write(QUEUE_SEL, 1, 4);
        dev.write(QUEUE_READY, v, 4);
        assertEquals(v != 0 ? 1 : 0, dev.read(QUEUE_READY, 4)); // virtio_mmio_write: "if (value)"
    }

    /** Status is the low byte (virtio_set_status(vdev, value & 0xff)): 2^31 is a reset, 2^31−1 is 0xff. */
    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x100})
    void statusIsTheLowByte(long v) {
        probe();
        setUpQueue0();
        dev.write(STATUS, v, 4);
        int low = (int) (v & 0xff);
        assertEquals(low, dev.read(STATUS, 4));
        if (low == 0) {
            assertEquals(List.of("reset"), backend.calls, "status 0 resets the device");
            assertFalse(dev.started());
        } else {
            // 0xff keeps every bit already set and adds DRIVER_OK: the backend starts.
            assertTrue(dev.started());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void interruptAckClearsTheBitsWritten(long v) {
        dev.raiseInterrupt(INT_VRING | INT_CONFIG);
        dev.write(INTERRUPT_ACK, v, 4);
        assertEquals((INT_VRING | INT_CONFIG) & ~v, dev.read(INTERRUPT_STATUS, 4));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void readOnlyRegistersIgnoreWrites(long v) {
        for (int reg : new int[] {MAGIC_VALUE, VERSION, DEVICE_ID, VENDOR_ID, DEVICE_FEATURES, QUEUE_NUM_MAX,
                INTERRUPT_STATUS, CONFIG_GENERATION}) {
            dev.write(reg, v, 4);
        }
        assertEquals(8, dev.guestErrors());
        assertEquals(MAGIC, dev.read(MAGIC_VALUE, 4));
        assertEquals(256, dev.read(QUEUE_NUM_MAX, 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {DEVICE_FEATURES_SEL, DRIVER_FEATURES, DRIVER_FEATURES_SEL, QUEUE_SEL, QUEUE_NUM,
        QUEUE_NOTIFY, INTERRUPT_ACK, QUEUE_DESC_LOW, QUEUE_DESC_HIGH, QUEUE_DRIVER_LOW, QUEUE_DRIVER_HIGH,
        QUEUE_DEVICE_LOW, QUEUE_DEVICE_HIGH, 0x028, 0x031, 0x0f8})
    void writeOnlyAndUnknownRegistersReadZero(int reg) {
        dev.write(QUEUE_SEL, 1, 4);
        assertEquals(0, dev.read(reg, 4));
        assertEquals(1, dev.guestErrors()); // virtio_mmio_read logs a guest error and answers 0
    }

    /**
     * Offsets are unsigned 64-bit: outside the window nothing is touched (a truncation to int used to
     * turn 2^32 + 0x70 into Status).
     */
    @ParameterizedTest
    @ValueSource(longs = {0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0070L, 0x8000_0000_0000_0070L,
        Long.MIN_VALUE, -1L, WINDOW_SIZE, WINDOW_SIZE + STATUS})
    void offsetsOutsideTheWindowAreIgnored(long offset) {
        probe();
        dev.write(offset, 0, 4);
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK, dev.read(STATUS, 4), "status untouched");
        assertEquals(0, dev.read(offset, 4));
        assertEquals(0, dev.read(offset, 1));
        assertEquals(3, dev.guestErrors());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 8, -1, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void registersTakeOnly32BitAccesses(int size) {
        probe();
        dev.write(STATUS, 0, size);
        assertEquals(0, dev.read(MAGIC_VALUE, size));
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK, dev.read(STATUS, 4));
        assertEquals(2, dev.guestErrors());
    }
}
