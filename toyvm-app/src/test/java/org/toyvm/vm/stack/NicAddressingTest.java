package org.toyvm.vm.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each NIC of a run gets its own MAC and subnet, derived from the run's, and checked. */
class NicAddressingTest {
    private static final MacAddress PEER = Addressing.IN_PROCESS_PEER_MAC;

    @Test
    void nicNAddsNToTheMacsLastByteAndMovesBothAddressesUpNSubnets() {
        List<NicAddressing> a = NicAddressing.all(3, MacAddress.parse("52:54:00:12:34:56"),
                Ipv4Cidr.parse("192.168.77.2/24"), Ipv4Address.parse("192.168.77.1"), PEER);
        assertEquals("52:54:00:12:34:56", a.get(0).mac().toString());
        assertEquals("192.168.77.2/24", a.get(0).ip().toString());
        assertEquals("52:54:00:12:34:58", a.get(2).mac().toString());
        assertEquals("192.168.79.2/24", a.get(2).ip().toString());
        assertEquals("192.168.79.1", a.get(2).peerIp().toString());
        // Another prefix moves by its own subnet size: a /30 by 4 addresses.
        NicAddressing p30 = NicAddressing.of(1, MacAddress.parse("52:54:00:12:34:56"), Ipv4Cidr.parse("10.0.0.1/30"),
                Ipv4Address.parse("10.0.0.2"));
        assertEquals("10.0.0.5/30", p30.ip().toString());
        assertEquals("10.0.0.6", p30.peerIp().toString());
    }

    @Test
    void theLastByteWrapsWithoutTouchingTheUnicastBit() {
        assertEquals("52:54:00:12:34:00", NicAddressing.macOf(MacAddress.parse("52:54:00:12:34:ff"), 1).toString());
    }

    @Test
    void aDerivedAddressNoNetworkCouldUseIsRefusedNamingTheNic() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NicAddressing.all(2,
                MacAddress.parse("52:54:00:12:34:56"), Ipv4Cidr.parse("223.255.255.2/24"),
                Ipv4Address.parse("223.255.255.1"), PEER));
        assertTrue(e.getMessage().startsWith("NIC 1 (mac 52:54:00:12:34:57, ip 224.0.0.2/24"), e.getMessage());
        // The guest's MAC + 1 would be the in-process peer's.
        assertThrows(IllegalArgumentException.class, () -> NicAddressing.all(2, MacAddress.parse("52:54:00:00:00:00"),
                Ipv4Cidr.parse("192.168.77.2/24"), Ipv4Address.parse("192.168.77.1"), PEER));
    }

    @Test
    void aSubnetThatWrapsOntoAnEarlierNicsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NicAddressing.all(3,
                MacAddress.parse("52:54:00:12:34:56"), Ipv4Cidr.parse("10.0.0.2/1"), Ipv4Address.parse("10.0.0.1"),
                PEER));
        assertTrue(e.getMessage().contains("wraps round onto NIC 0's"), e.getMessage());
        assertTrue(e.getMessage().contains("/2 or longer"), e.getMessage());
    }
}
