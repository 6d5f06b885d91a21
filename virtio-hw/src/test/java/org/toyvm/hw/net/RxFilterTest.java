package org.toyvm.hw.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.toyvm.hw.net.CvqDriver.CTRL_FEATURES;
import static org.toyvm.hw.net.CvqDriver.cat;
import static org.toyvm.hw.net.CvqDriver.le16;
import static org.toyvm.hw.net.CvqDriver.macTable;
import static org.toyvm.hw.net.CvqDriver.u8;

import org.junit.jupiter.api.Test;
import org.toyvm.core.virtio.VirtioNet;

/**
 * What the RX filter set through the control queue does to frames from the wire (QEMU
 * receive_filter): promiscuous after reset, so a driver that sends no command gets every frame;
 * out of promiscuous mode, unicast by MAC and table, broadcast unless NOBCAST, multicast by table
 * or ALLMULTI, tagged frames by the VLAN filter. Filtered frames are counted.
 */
class RxFilterTest {
    private static final long OTHER = 0x020000000077L;
    private static final long GROUP = 0x01005e000001L;
    private static final long BCAST = 0xffffffffffffL;

    private static byte[] frame(long dst, int vid) {
        byte[] f = NicFixture.frame(60, 3);
        System.arraycopy(CvqDriver.mac(dst), 0, f, 0, 6);
        if (vid >= 0) {
            f[12] = (byte) 0x81;
            f[13] = 0;
            f[14] = (byte) (vid >>> 8);
            f[15] = (byte) vid;
        } else {
            f[12] = 0x08;
            f[13] = 0;
        }
        return f;
    }

    /** Sends {@code frame} from the wire with a fresh RX buffer posted; answers whether the guest got it. */
    private static boolean delivered(CvqDriver d, NicFixture.Ring rx, byte[] frame) {
        int before = rx.usedIdx();
        rx.publish(rx.single(0x50000 + (long) (before % rx.num) * 0x1000, 2048, true));
        d.f.sendFromWire(frame);
        boolean got = rx.usedIdx() != before;
        if (!got) {
            d.f.sendFromWire(frame(NicFixture.MAC, -1)); // consume the posted buffer for the next check
            assertEquals(before + 1, rx.usedIdx());
        }
        return got;
    }

    private static NicFixture.Ring rx(CvqDriver d) {
        NicFixture.Ring rx = d.f.rx();
        rx.setUp();
        d.f.sched.runUntilIdle();
        return rx;
    }

    @Test
    void promiscuousAfterResetPassesEverything() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            NicFixture.Ring rx = rx(d);
            assertEquals(true, delivered(d, rx, frame(OTHER, -1)));
            assertEquals(true, delivered(d, rx, frame(GROUP, 100)), "even a VLAN not added");
            assertEquals(0, d.counters().rxDroppedFiltered());
        }
    }

    @Test
    void outOfPromiscuousModeTheFilterDecides() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            NicFixture.Ring rx = rx(d);
            d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, u8(0));
            assertEquals(true, delivered(d, rx, frame(NicFixture.MAC, -1)), "own MAC");
            assertEquals(false, delivered(d, rx, frame(OTHER, -1)), "another unicast MAC");
            assertEquals(true, delivered(d, rx, frame(BCAST, -1)));
            assertEquals(false, delivered(d, rx, frame(GROUP, -1)), "multicast not in the table");
            d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET, cat(macTable(1, OTHER), macTable(1, GROUP)));
            assertEquals(true, delivered(d, rx, frame(OTHER, -1)), "unicast in the table");
            assertEquals(true, delivered(d, rx, frame(GROUP, -1)), "multicast in the table");
            d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_NOBCAST, u8(1));
            assertEquals(false, delivered(d, rx, frame(BCAST, -1)));
            assertEquals(false, delivered(d, rx, frame(NicFixture.MAC, 5)), "VLAN 5 not added");
            d.send(VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_ADD, le16(5));
            assertEquals(true, delivered(d, rx, frame(NicFixture.MAC, 5)));
            d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_NOUNI, u8(1));
            int before = rx.usedIdx(); // the helper's filler frame would be filtered too: check by hand
            rx.publish(rx.single(0x5f000, 2048, true));
            d.f.sendFromWire(frame(NicFixture.MAC, -1));
            assertEquals(before, rx.usedIdx(), "NOUNI: not even the device's own MAC");
            assertEquals(5, d.counters().rxDroppedFiltered());
        }
    }

    @Test
    void macAddrSetMovesTheUnicastFilter() {
        try (CvqDriver d = new CvqDriver(CTRL_FEATURES)) {
            NicFixture.Ring rx = rx(d);
            d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, u8(0));
            d.send(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_ADDR_SET, CvqDriver.mac(OTHER));
            assertEquals(true, delivered(d, rx, frame(OTHER, -1)));
            d.send(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, u8(1)); // the helper's filler frame uses MAC
            assertEquals(true, delivered(d, rx, frame(NicFixture.MAC, -1)));
        }
    }
}
