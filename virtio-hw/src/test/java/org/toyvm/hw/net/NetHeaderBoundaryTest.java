package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.virtio.VirtioNet;

/**
 * virtio_net_hdr_v1 fields and frame lengths at their edges. The device offers no offload
 * (no CSUM, GSO or MRG_RXBUF), so on TX every header field — flags, gso_type (u8), hdr_len,
 * gso_size, csum_start, csum_offset, num_buffers (u16) — is ignored and the frame goes out as
 * written; on RX the device writes a zero header with num_buffers = 1 over whatever was there.
 * Wire frames shorter than an Ethernet header or longer than the MTU allows are dropped and counted.
 */
class NetHeaderBoundaryTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 0x7fff, 0x8000, 0xffff})
    void txHeaderFieldsAreIgnored(int v) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            byte[] frame = NicFixture.frame(60, 3);
            f.putTxBuffer(0x40000, frame);
            f.ram.putU8(0x40000 + VirtioNet.HDR_FLAGS, (byte) v);
            f.ram.putU8(0x40000 + VirtioNet.HDR_GSO_TYPE, (byte) v);
            for (int off : new int[] {VirtioNet.HDR_HDR_LEN, VirtioNet.HDR_GSO_SIZE, VirtioNet.HDR_CSUM_START,
                    VirtioNet.HDR_CSUM_OFFSET, VirtioNet.HDR_NUM_BUFFERS}) {
                f.ram.putU16(0x40000 + off, (short) v);
            }
            tx.publish(tx.single(0x40000, 72, false));
            assertEquals(1, f.received.size());
            assertArrayEquals(frame, f.received.get(0));
            assertEquals(0, f.nic.counters().chainDrops());
        }
    }

    /** The header split at every byte boundary across two descriptors still skips exactly 12 bytes. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 10, 11, 12, 13, 71, 72})
    void txHeaderSplitAcrossDescriptors(int cut) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring tx = f.tx();
            f.start(0, tx);
            byte[] frame = NicFixture.frame(60, 4);
            f.putTxBuffer(0x40000, frame);
            tx.desc(0, 0x40000, cut, org.toyvm.core.virtio.SplitRing.DESC_F_NEXT, 1);
            tx.desc(1, 0x40000 + cut, 72 - cut, 0, 0);
            tx.publish(0);
            assertArrayEquals(frame, f.received.get(0));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 0x7f, 0x80, 0xff})
    void rxHeaderIsWrittenWholeOverOldContent(int old) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            for (int i = 0; i < VirtioNet.HDR_V1_SIZE; i++) {
                f.ram.putU8(0x50000 + i, (byte) old);
            }
            rx.publish(rx.single(0x50000, 2048, true));
            f.sendFromWire(NicFixture.frame(60, 1));
            assertEquals(0, f.ram.getU64(0x50000), "flags, gso_type, hdr_len, gso_size, csum_start zero");
            assertEquals(0, f.ram.getU16(0x50000 + VirtioNet.HDR_CSUM_OFFSET));
            assertEquals(1, f.ram.getU16(0x50000 + VirtioNet.HDR_NUM_BUFFERS), "num_buffers = 1");
        }
    }

    /** Frame lengths from the wire: used length 12 + frame for 14..1514 bytes; others dropped, no buffer used. */
    @ParameterizedTest
    @CsvSource({"0, false", "1, false", "13, false", "14, true", "60, true", "1514, true", "1515, false",
        "65535, false", "65536, false"})
    void wireFrameLengths(int len, boolean delivered) {
        try (NicFixture f = new NicFixture()) {
            NicFixture.Ring rx = f.rx();
            f.start(0, rx);
            rx.publish(rx.single(0x50000, 0x10000, true));
            f.sendFromWire(NicFixture.frame(len, 2));
            assertEquals(delivered ? 1 : 0, rx.usedIdx());
            assertEquals(delivered ? 0 : 1, f.nic.counters().rxDroppedBadLength());
            if (delivered) {
                assertEquals(12 + len, rx.usedLen(0));
            }
        }
    }
}
