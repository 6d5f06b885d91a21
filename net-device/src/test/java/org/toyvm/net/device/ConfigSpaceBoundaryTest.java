package org.toyvm.net.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.toyvm.core.virtio.VirtioStatus.ACKNOWLEDGE;
import static org.toyvm.net.device.VirtioMmioLayout.CONFIG;
import static org.toyvm.net.device.VirtioMmioLayout.STATUS;
import static org.toyvm.net.device.VirtioMmioLayout.WINDOW_SIZE;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device config space behind the registers (virtio_net_config, 12 bytes from the fake backend):
 * offsets relative to the config start at 0, 2^31−1, 2^31, 2^32−1 (and absolute 2^63, 2^64−1), every
 * access width; past the end a read is all ones at its width (QEMU's virtio_config_modern_read*),
 * outside the window 0; writes are ignored (net config is read-only for the driver). All counted.
 */
class ConfigSpaceBoundaryTest {
    final VirtioNetDeviceTest.FakeBackend backend = new VirtioNetDeviceTest.FakeBackend();
    final VirtioNetDevice dev = new VirtioNetDevice(backend);

    @ParameterizedTest
    @CsvSource({"0, 1, 0x52", "0, 2, 0x5452", "0, 4, 0x12005452", "0, 8, 0x0001563412005452", "10, 2, 0x05dc",
        "11, 1, 0x05", "8, 4, 0x05dc0001", "6, 2, 0x0001"})
    void fieldsInsideTheConfigReadLittleEndian(int off, int size, String hex) {
        assertEquals(Long.decode(hex), dev.read(CONFIG + off, size));
        assertEquals(0, dev.guestErrors());
    }

    @ParameterizedTest
    @CsvSource({"12, 1, 0xff", "12, 2, 0xffff", "12, 4, 0xffffffff", "11, 2, 0xffff", "9, 4, 0xffffffff",
        "3839, 1, 0xff", "3838, 2, 0xffff"})
    void pastTheEndReadsAllOnesAtItsWidth(int off, int size, String hex) {
        assertEquals(Long.decode(hex), dev.read(CONFIG + off, size));
        assertEquals(1, dev.guestErrors());
    }

    @Test
    void anEightByteReadIsTwoFourByteReads() {
        // Bytes 8..11 exist, 12..15 do not: the high half reads all ones.
        assertEquals(0xffff_ffff_05dc_0001L, dev.read(CONFIG + 8, 8));
        assertEquals(1, dev.guestErrors());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, Long.MIN_VALUE, -1L})
    void offsetsFromTheConfigStart(long rel) {
        long offset = CONFIG + rel;
        boolean inside = rel == 0;
        for (int size : new int[] {1, 2, 4}) {
            long v = dev.read(offset, size);
            if (inside) {
                assertEquals(new long[] {0, 0x52, 0x5452, 0, 0x12005452}[size], v);
            } else if (Long.compareUnsigned(offset, CONFIG) >= 0 && Long.compareUnsigned(offset, WINDOW_SIZE) < 0) {
                assertEquals((1L << (8 * size)) - 1, v);
            } else {
                // Outside the window, or wrapped below the config start (CONFIG + 2^64−1 = 0xff): 0.
                assertEquals(0, v);
            }
        }
        assertEquals(inside ? 0 : 3, dev.guestErrors());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 5, 16, -1, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void accessesOfNoValidWidthReadZero(int size) {
        assertEquals(0, dev.read(CONFIG, size));
        assertEquals(1, dev.guestErrors());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL})
    void writesAreIgnored(long value) {
        dev.write(STATUS, ACKNOWLEDGE, 4);
        for (int size : new int[] {1, 2, 4, 8}) {
            dev.write(CONFIG, value, size);
            dev.write(CONFIG + value, value, size);
        }
        assertEquals(8, dev.guestErrors());
        assertEquals(0x52, dev.read(CONFIG, 1));
        assertEquals(ACKNOWLEDGE, dev.read(STATUS, 4));
    }
}
