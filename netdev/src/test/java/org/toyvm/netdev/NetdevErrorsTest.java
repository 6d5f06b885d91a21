package org.toyvm.netdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.toyvm.core.time.RealScheduler;

/** A netdev the host cannot open says which address and why, in one line; spec parsing is strict. */
class NetdevErrorsTest {
    @Test
    void udpBindToAPortInUseNamesTheAddressAndTheReason() throws Exception {
        try (RealScheduler s = new RealScheduler(); DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + taken.getLocalPort();
            NetdevException e = assertThrows(NetdevException.class,
                    () -> UdpPort.open(NetdevSpec.parse("dgram,local=" + at + ",remote=127.0.0.1:9"), s.eventLoop()));
            assertTrue(e.getMessage().startsWith("cannot bind --netdev dgram local address " + at + ": "), e.getMessage());
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("in use"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    @Test
    void vxlanBindToAnAddressNotOnThisHostNamesIt() throws Exception {
        try (RealScheduler s = new RealScheduler()) {
            // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this host.
            NetdevException e = assertThrows(NetdevException.class, () -> UdpPort.open(
                    NetdevSpec.parse("vxlan,local=192.0.2.1:4789,remote=127.0.0.1:4789,vni=1"), s.eventLoop()));
            assertTrue(e.getMessage().startsWith("cannot bind --netdev vxlan local address 192.0.2.1:4789: "),
                    e.getMessage());
        }
    }

    @Test
    void streamListenAndConnectFailuresNameTheAddress() throws Exception {
        try (RealScheduler s = new RealScheduler(); ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + taken.getLocalPort();
            NetdevException e = assertThrows(NetdevException.class,
                    () -> StreamPort.open(NetdevSpec.parse("stream,addr=" + at + ",server=on"), s.eventLoop()));
            assertTrue(e.getMessage().startsWith("cannot listen on --netdev stream address " + at + ": "), e.getMessage());
            int closedPort;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = probe.getLocalPort();
            }
            e = assertThrows(NetdevException.class, () -> StreamPort.open(
                    NetdevSpec.parse("stream,addr=127.0.0.1:" + closedPort), s.eventLoop()));
            assertTrue(e.getMessage().startsWith("cannot connect --netdev stream to 127.0.0.1:" + closedPort + ": "),
                    e.getMessage());
        }
    }

    @Test
    void addressesAndNumbersAreStrict() {
        for (String bad : new String[] {"dgram,local=10.1:5,remote=1.2.3.4:5", "dgram,local=010.0.0.1:5,remote=1.2.3.4:5",
            "dgram,local=1.2.3.4:+5,remote=1.2.3.4:5", "dgram,local=1.2.3.4:65536,remote=1.2.3.4:5",
            "dgram,local=1.2.3.256:5,remote=1.2.3.4:5", "vxlan,local=1.2.3.4:5,remote=1.2.3.4:5,vni=+1",
            "vxlan,local=1.2.3.4:5,remote=1.2.3.4:5,vni=16777216", "dgram,local=\u0661.2.3.4:5,remote=1.2.3.4:5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetdevSpec.parse(bad), bad);
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        assertEquals(16777215, NetdevSpec.parse("vxlan,local=1.2.3.4:5,remote=1.2.3.4:5,vni=16777215").vni());
        assertEquals(0, NetdevSpec.parse("dgram,local=0.0.0.0:0,remote=1.2.3.4:5").local().getPort());
    }
}
