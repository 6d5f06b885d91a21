package org.toyvm.vm.stack;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one address and MAC check every command shares, and strict parsing of addresses. */
class AddressingTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    private static String refused(String mac, String cidr, String peer) {
        return assertThrows(IllegalArgumentException.class, () -> Addressing.check(MacAddress.parse(mac),
                Ipv4Cidr.parse(cidr), Ipv4Address.parse(peer), Addressing.IN_PROCESS_PEER_MAC),
                mac + " " + cidr + " " + peer).getMessage();
    }

    private static void accepted(String cidr, String peer) {
        assertDoesNotThrow(() -> Addressing.check(MAC, Ipv4Cidr.parse(cidr), Ipv4Address.parse(peer),
                Addressing.IN_PROCESS_PEER_MAC));
    }

    @Test
    void macs() {
        assertTrue(refused("00:00:00:00:00:00", "10.0.0.2/24", "10.0.0.1").contains("all-zero"));
        assertTrue(refused("ff:ff:ff:ff:ff:ff", "10.0.0.2/24", "10.0.0.1").contains("broadcast"));
        assertTrue(refused("33:33:00:00:00:01", "10.0.0.2/24", "10.0.0.1").contains("multicast"));
        assertTrue(refused("52:54:00:00:00:01", "10.0.0.2/24", "10.0.0.1").contains("peer's MAC"));
        // Locally administered unicast is a station address.
        assertDoesNotThrow(() -> Addressing.check(MacAddress.parse("02:00:00:00:00:01"), Ipv4Cidr.parse("10.0.0.2/24"),
                Ipv4Address.parse("10.0.0.1"), null));
    }

    @Test
    void hostsAndSubnets() {
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.1/24", "10.0.0.1").contains("own address"));
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.2/24", "10.0.1.1").contains("outside"));
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.0/24", "10.0.0.1").contains("network address"));
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.255/24", "10.0.0.1").contains("broadcast address"));
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.2/24", "10.0.0.255").contains("--peer-ip"));
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.2/30", "10.0.0.3").contains("broadcast address"));
        assertTrue(refused("52:54:00:12:34:56", "127.0.0.2/8", "127.0.0.1").contains("loopback"));
        assertTrue(refused("52:54:00:12:34:56", "224.0.0.2/24", "224.0.0.1").contains("multicast"));
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.2/24", "255.255.255.255").contains("--peer-ip"));
        assertTrue(refused("52:54:00:12:34:56", "0.0.0.2/24", "0.0.0.1").contains("this network"));
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.2/32", "10.0.0.1").contains("/31"));
        assertTrue(refused("52:54:00:12:34:56", "10.0.0.2/0", "10.0.0.1").contains("/0"));
        accepted("10.0.0.2/24", "10.0.0.1");
        accepted("10.0.0.2/30", "10.0.0.1");
        accepted("10.0.0.0/31", "10.0.0.1"); // RFC 3021: both addresses of a /31 are hosts
        accepted("10.0.0.1/31", "10.0.0.0");
        accepted("10.1.2.3/8", "10.200.0.1");
    }

    @Test
    void parsingIsStrict() {
        for (String bad : new String[] {"+2:54:00:12:34:56", "52:54:00:12:34:5", "52:54:00:12:34:567", "52-54-00-12-34-56",
            "52:54:00:12:34:\u0661\u0662", "52:54:00:12:34:-1", "52:54:00:12:34:0x"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
        assertEquals(MAC, MacAddress.parse("52:54:00:12:34:56"));
        assertEquals(0xaabbccddeeffL, MacAddress.parse("aa:BB:cc:DD:ee:FF").value());
        for (String bad : new String[] {"10.0.0.010", "10.0.0", "10.0.0.1.1", "10.0.0.256", "10.0.0.\u0661", "10.0.0.+1",
            "10..0.1"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
        }
        assertEquals("10.0.0.0", Ipv4Address.parse("10.0.0.0").toString());
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0.1/\u0662\u0664"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.0.1/33"));
        assertEquals("10.0.0.8", Ipv4Cidr.parse("10.0.0.9/29").network().toString());
        assertEquals("10.0.0.15", Ipv4Cidr.parse("10.0.0.9/29").broadcast().toString());
    }
}
