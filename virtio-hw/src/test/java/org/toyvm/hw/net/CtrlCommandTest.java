package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.toyvm.hw.net.CvqDriver.CTRL_FEATURES;
import static org.toyvm.hw.net.CvqDriver.bits;
import static org.toyvm.hw.net.CvqDriver.cat;
import static org.toyvm.hw.net.CvqDriver.le16;
import static org.toyvm.hw.net.CvqDriver.le64;
import static org.toyvm.hw.net.CvqDriver.mac;
import static org.toyvm.hw.net.CvqDriver.macTable;
import static org.toyvm.hw.net.CvqDriver.u8;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;

/**
 * Each control command, good and bad, with the ack values of virtio 1.x §5.1.6.5 and QEMU's
 * handlers (hw/net/virtio-net.c virtio_net_handle_rx_mode, _mac, _vlan_table, _announce, _mq,
 * _offloads): OK changes the state, ERR leaves it as it was; a size QEMU refuses is ERR and counted
 * malformed; a feature not negotiated is ERR.
 */
class CtrlCommandTest {
    private static final int OK = VirtioNet.CTRL_OK;
    private static final int ERR = VirtioNet.CTRL_ERR;

    private static void counts(CvqDriver d, long ok, long err, long malformed) {
        assertEquals(ok, d.counters().ctrlOk(), "ok");
        assertEquals(err, d.counters().ctrlErr(), "err");
        assertEquals(malformed, d.counters().ctrlMalformed(), "malformed");
    }

    // ---------------------------------------------------------------- RX

    @ParameterizedTest
    @CsvSource({"0, promisc", "1, allmulti", "2, alluni", "3, nomulti", "4, nouni", "5, nobcast"})
    void rxModeCommandsSetTheirFlag(int cmd, String flag) {
        Predicate<RxFilter> get = switch (flag) {
            case "promisc" -> RxFilter::promisc;
            case "allmulti" -> RxFilter::allmulti;
            case "alluni" -> RxFilter::alluni;
            case "nomulti" -> RxFilter::nomulti;
            case "nouni" -> RxFilter::nouni;
            default -> RxFilter::nobcast;
        };
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(OK, d.send(VirtioNet.CTRL_RX, cmd, u8(1)));
            assertTrue(get.test(d.filter()));
            assertEquals(OK, d.send(VirtioNet.CTRL_RX, cmd, u8(0)));
            assertFalse(get.test(d.filter()));
            assertEquals(OK, d.send(VirtioNet.CTRL_RX, cmd, u8(0x80)), "any non-zero u8 is on");
            assertTrue(get.test(d.filter()));
            counts(d, 3, 0, 0);
        }
    }

    @Test
    void rxModeBadInput() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertTrue(d.filter().promisc(), "promiscuous after reset (QEMU virtio_net_reset)");
            assertEquals(ERR, d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, new byte[0]), "no on/off byte");
            assertTrue(d.filter().promisc());
            assertEquals(ERR, d.send(VirtioNet.CTRL_RX, 6, u8(0)), "unknown RX command");
            assertEquals(ERR, d.send(VirtioNet.CTRL_RX, 255, u8(0)));
            // QEMU reads the first byte and ignores the rest (iov_to_buf of sizeof(on)).
            assertEquals(OK, d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, new byte[] {0, 1}));
            assertFalse(d.filter().promisc());
            counts(d, 1, 2, 1);
        }
        long noExtra = CTRL_FEATURES & ~bits(VirtioFeatures.NET_F_CTRL_RX_EXTRA);
        try (CvqDriver d = new CvqDriver(noExtra)) {
            assertEquals(OK, d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_ALLMULTI, u8(1)));
            for (int cmd = VirtioNet.CTRL_RX_ALLUNI; cmd <= VirtioNet.CTRL_RX_NOBCAST; cmd++) {
                assertEquals(ERR, d.send(VirtioNet.CTRL_RX, cmd, u8(1)), "needs CTRL_RX_EXTRA: " + cmd);
            }
            assertFalse(d.filter().alluni() || d.filter().nomulti() || d.filter().nouni() || d.filter().nobcast());
        }
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES & ~bits(VirtioFeatures.NET_F_CTRL_RX))) {
            assertEquals(ERR, d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, u8(0)), "needs CTRL_RX");
            assertTrue(d.filter().promisc());
            counts(d, 0, 1, 0);
        }
    }

    // ---------------------------------------------------------------- MAC

    @Test
    void macAddrSetChangesTheConfigSpaceMacUntilReset() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(OK, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_ADDR_SET, mac(0x02aabbccddeeL)));
            assertEquals(0x02aabbccddeeL, d.f.nic.mac());
            byte[] cfg = new byte[6];
            d.f.nic.readConfig(VirtioNet.CONFIG_MAC, cfg, 0, 6);
            assertEquals(0x02aabbccddeeL, RxFilter.macAt(cfg, 0), "the driver reads the new MAC back");
            d.f.nic.reset();
            assertEquals(NicFixture.MAC, d.f.nic.mac(), "reset restores the device's MAC");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, 7, 12})
    void macAddrSetTakesExactlySixBytes(int len) {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(ERR, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_ADDR_SET, new byte[len]));
            assertEquals(NicFixture.MAC, d.f.nic.mac());
            counts(d, 0, 0, 1);
        }
    }

    @Test
    void macAddrSetNeedsCtrlMacAddr() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES & ~bits(VirtioFeatures.NET_F_CTRL_MAC_ADDR))) {
            assertEquals(ERR, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_ADDR_SET, mac(0x02aabbccddeeL)));
            assertEquals(NicFixture.MAC, d.f.nic.mac());
            assertEquals(ERR, d.send(VirtioNet.CTRL_MAC, 2, mac(0x02aabbccddeeL)), "unknown MAC command");
            counts(d, 0, 2, 0);
        }
    }

    @Test
    void macTableSetStoresUnicastThenMulticast() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            byte[] data = cat(macTable(2, 0x020000000001L, 0x020000000002L), macTable(1, 0x01005e000001L));
            assertEquals(OK, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET, data));
            RxFilter r = d.filter();
            assertEquals(3, r.macTableEntries());
            assertEquals(2, r.macTableUnicastEntries());
            assertEquals(0x020000000002L, r.macTableEntry(1));
            assertEquals(0x01005e000001L, r.macTableEntry(2));
            assertFalse(r.unicastOverflow() || r.multicastOverflow());
            assertEquals(OK, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET, cat(macTable(0), macTable(0))));
            assertEquals(0, r.macTableEntries(), "two empty tables clear it");
        }
    }

    @Test
    void macTableOverflowSetsTheFlagInsteadOfStoring() {
        long[] many = new long[RxFilter.MAC_TABLE_ENTRIES + 1];
        for (int i = 0; i < many.length; i++) {
            many[i] = 0x020000000000L + i;
        }
        long[] sixty = java.util.Arrays.copyOf(many, 60);
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(OK, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET,
                    cat(macTable(many.length, many), macTable(0))));
            assertTrue(d.filter().unicastOverflow());
            assertEquals(0, d.filter().macTableEntries());
            long[] five = {0x01005e000001L, 0x01005e000002L, 0x01005e000003L, 0x01005e000004L, 0x01005e000005L};
            assertEquals(OK, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET,
                    cat(macTable(60, sixty), macTable(5, five))));
            assertFalse(d.filter().unicastOverflow());
            assertTrue(d.filter().multicastOverflow(), "60 + 5 > 64");
            assertEquals(60, d.filter().macTableEntries());
        }
    }

    /**
     * Table sizes checked against the data as QEMU does (the first may leave bytes for the second,
     * the second must end the data), with the count × 6 in 64 bits: 0x2AAAAAAB × 6 wraps to 2 in
     * 32 bits, which must not make a 2-byte table pass. A refused command leaves the table alone.
     */
    @ParameterizedTest
    @CsvSource({"''", "'00 00 00'", "'01 00 00 00'", "'00 00 00 00'", "'00 00 00 00 00 00 00'",
        "'00 00 00 00 01 00 00 00'", "'00 00 00 00 01 00 00 00 01 02 03 04 05'",
        "'00 00 00 00 01 00 00 00 01 02 03 04 05 06 07'", "'01 00 00 00 01 02 03 04 05 06'",
        "'ab aa aa 2a 01 02 00 00 00 00'", "'00 00 00 00 ab aa aa 2a 01 02'", "'ff ff ff ff 00 00 00 00'",
        "'00 00 00 00 ff ff ff ff'"})
    void macTableSizesAreCheckedAgainstTheData(String hex) {
        byte[] data = hex(hex);
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(OK, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET,
                    cat(macTable(1, 0x020000000009L), macTable(0))));
            assertEquals(ERR, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET, data));
            assertEquals(1, d.filter().macTableEntries(), "unchanged");
            assertEquals(0x020000000009L, d.filter().macTableEntry(0));
            counts(d, 1, 0, 1);
        }
    }

    @Test
    void macTableSetNeedsCtrlRx() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES & ~bits(VirtioFeatures.NET_F_CTRL_RX))) {
            assertEquals(ERR, d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET,
                    cat(macTable(1, 0x020000000001L), macTable(0))));
            assertEquals(0, d.filter().macTableEntries());
        }
    }

    // ---------------------------------------------------------------- VLAN

    @Test
    void vlanAddAndDel() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertFalse(d.filter().vlanAllowed(100), "with CTRL_VLAN no VLAN passes until added");
            for (int vid : new int[] {0, 100, 4095}) {
                assertEquals(OK, d.send(VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_ADD, le16(vid)));
                assertTrue(d.filter().vlanAllowed(vid));
            }
            assertEquals(OK, d.send(VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_DEL, le16(100)));
            assertFalse(d.filter().vlanAllowed(100));
            assertTrue(d.filter().vlanAllowed(4095));
        }
    }

    @Test
    void vlanBadInput() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            for (int vid : new int[] {4096, 0x8000, 0xffff}) {
                assertEquals(ERR, d.send(VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_ADD, le16(vid)), "vid " + vid);
            }
            assertEquals(ERR, d.send(VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_ADD, u8(1)), "one byte of two");
            assertEquals(ERR, d.send(VirtioNet.CTRL_VLAN, 2, le16(1)), "unknown VLAN command");
            assertFalse(d.filter().vlanAllowed(1));
            counts(d, 0, 4, 1);
        }
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES & ~bits(VirtioFeatures.NET_F_CTRL_VLAN))) {
            assertTrue(d.filter().vlanAllowed(7), "without CTRL_VLAN every VLAN passes (virtio_net_set_features)");
            assertEquals(ERR, d.send(VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_DEL, le16(7)));
            assertTrue(d.filter().vlanAllowed(7));
        }
    }

    // ---------------------------------------------------------------- ANNOUNCE

    private static int configStatus(CvqDriver d) {
        byte[] s = new byte[2];
        d.f.nic.readConfig(VirtioNet.CONFIG_STATUS, s, 0, 2);
        return (s[0] & 0xff) | (s[1] & 0xff) << 8;
    }

    @Test
    void announceAckClearsThePendingAnnouncement() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(ERR, d.send(VirtioNet.CTRL_ANNOUNCE, VirtioNet.CTRL_ANNOUNCE_ACK, new byte[0]),
                    "nothing to acknowledge");
            assertTrue(d.f.nic.requestAnnounce());
            assertEquals(VirtioNet.S_LINK_UP | VirtioNet.S_ANNOUNCE, configStatus(d));
            assertEquals(ERR, d.send(VirtioNet.CTRL_ANNOUNCE, 1, new byte[0]), "unknown ANNOUNCE command");
            assertEquals(OK, d.send(VirtioNet.CTRL_ANNOUNCE, VirtioNet.CTRL_ANNOUNCE_ACK, new byte[0]));
            assertEquals(VirtioNet.S_LINK_UP, configStatus(d));
            assertEquals(ERR, d.send(VirtioNet.CTRL_ANNOUNCE, VirtioNet.CTRL_ANNOUNCE_ACK, new byte[0]));
            counts(d, 1, 3, 0);
        }
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES & ~bits(VirtioFeatures.NET_F_GUEST_ANNOUNCE))) {
            assertFalse(d.f.nic.requestAnnounce(), "QEMU announces only with GUEST_ANNOUNCE");
            assertEquals(VirtioNet.S_LINK_UP, configStatus(d));
            assertEquals(ERR, d.send(VirtioNet.CTRL_ANNOUNCE, VirtioNet.CTRL_ANNOUNCE_ACK, new byte[0]));
        }
    }

    // ---------------------------------------------------------------- MQ

    /** max_virtqueue_pairs is 1 on this device: 1 is the only pair count in range. */
    @ParameterizedTest
    @CsvSource({"1, 0", "0, 1", "2, 1", "32768, 1", "32769, 1", "65535, 1"})
    void vqPairsSetRange(int pairs, int ack) {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(ack, d.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET, le16(pairs)));
            assertEquals(1, d.filter().activePairs());
            counts(d, ack == OK ? 1 : 0, ack == OK ? 0 : 1, 0);
        }
    }

    @Test
    void mqBadInput() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(ERR, d.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET, u8(1)), "one byte of two");
            assertEquals(ERR, d.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_RSS_CONFIG, new byte[64]), "no RSS");
            assertEquals(ERR, d.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_HASH_CONFIG, new byte[64]), "no hash");
            assertEquals(ERR, d.send(VirtioNet.CTRL_MQ, 3, le16(1)));
            counts(d, 0, 3, 1);
        }
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES & ~bits(VirtioFeatures.NET_F_MQ))) {
            assertEquals(ERR, d.send(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET, le16(1)), "needs MQ");
        }
    }

    // ---------------------------------------------------------------- GUEST_OFFLOADS

    @Test
    void guestOffloadsSetTakesASubsetOfTheNegotiatedOnes() {
        long csum = VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_CSUM);
        long tso4 = VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_TSO4);
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(csum | tso4, d.filter().guestOffloads(), "all negotiated offloads after FEATURES");
            assertEquals(OK, d.send(VirtioNet.CTRL_GUEST_OFFLOADS, VirtioNet.CTRL_GUEST_OFFLOADS_SET, le64(csum)));
            assertEquals(csum, d.filter().guestOffloads());
            long rsc = VirtioFeatures.bit(VirtioFeatures.NET_F_RSC_EXT);
            assertEquals(OK, d.send(VirtioNet.CTRL_GUEST_OFFLOADS, VirtioNet.CTRL_GUEST_OFFLOADS_SET,
                    le64(tso4 | rsc)), "RSC_EXT is cleared before the check");
            assertEquals(tso4, d.filter().guestOffloads());
            assertEquals(OK, d.send(VirtioNet.CTRL_GUEST_OFFLOADS, VirtioNet.CTRL_GUEST_OFFLOADS_SET, le64(0)));
            assertEquals(0, d.filter().guestOffloads());
        }
    }

    @Test
    void guestOffloadsBadInput() {
        long tso6 = VirtioFeatures.bit(VirtioFeatures.NET_F_GUEST_TSO6);
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            long before = d.filter().guestOffloads();
            assertEquals(ERR, d.send(VirtioNet.CTRL_GUEST_OFFLOADS, VirtioNet.CTRL_GUEST_OFFLOADS_SET, le64(tso6)),
                    "TSO6 was not negotiated");
            assertEquals(ERR, d.send(VirtioNet.CTRL_GUEST_OFFLOADS, VirtioNet.CTRL_GUEST_OFFLOADS_SET,
                    le64(Long.MIN_VALUE)), "bit 63");
            assertEquals(ERR, d.send(VirtioNet.CTRL_GUEST_OFFLOADS, VirtioNet.CTRL_GUEST_OFFLOADS_SET, new byte[7]));
            assertEquals(ERR, d.send(VirtioNet.CTRL_GUEST_OFFLOADS, 1, le64(0)), "unknown command");
            assertEquals(before, d.filter().guestOffloads());
            counts(d, 0, 3, 1);
        }
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES & ~bits(VirtioFeatures.NET_F_CTRL_GUEST_OFFLOADS))) {
            assertEquals(ERR, d.send(VirtioNet.CTRL_GUEST_OFFLOADS, VirtioNet.CTRL_GUEST_OFFLOADS_SET, le64(0)));
        }
    }

    // ---------------------------------------------------------------- anything else

    @ParameterizedTest
    @ValueSource(ints = {6, 7, 0x80, 0xff})
    void unknownClassIsErr(int cls) {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            assertEquals(ERR, d.send(cls, 0, le64(0)));
            counts(d, 0, 1, 0);
        }
    }

    @Test
    void resetForgetsEveryCommand() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, u8(0));
            d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_NOBCAST, u8(1));
            d.send(VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_ADD, le16(5));
            d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET, cat(macTable(1, 0x020000000001L), macTable(0)));
            counts(d, 4, 0, 0);
            d.f.nic.reset();
            RxFilter r = d.filter();
            assertTrue(r.promisc());
            assertFalse(r.nobcast() || r.vlanAllowed(5));
            assertEquals(0, r.macTableEntries());
            assertEquals(1, r.activePairs());
            assertEquals(0, r.guestOffloads());
        }
    }

    static byte[] hex(String s) {
        String t = s.replace(" ", "");
        byte[] b = new byte[t.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(t.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
