package org.toyvm.vm.stack;

/**
 * The one check of a guest's link and IP configuration against its peer, shared by every command:
 * a configuration that no network could run (so that "connectivity restored" would mean nothing)
 * is refused before anything starts.
 *
 * <ul>
 * <li>MACs: not all-zero, not multicast or broadcast (the I/G bit), and the guest's differs from the
 *     peer's (when the peer's is known: the in-process peer).</li>
 * <li>IPs: neither in 0/8, 127/8, 224/4 (multicast) or 240/4 (reserved, with 255.255.255.255); the
 *     guest's differs from the peer's; the peer is inside the guest's subnet (the toy stack has no
 *     router).</li>
 * <li>Prefix /1../30: neither host may be the subnet's network or broadcast address. /31 is a
 *     point-to-point link (RFC 3021): both of its addresses are hosts. /32 and /0 are refused: a /32
 *     leaves no on-link peer, a /0 puts the whole Internet on the link.</li>
 * </ul>
 */
public final class Addressing {
    /** The in-process peer's MAC (the virtual and the live local run use it). */
    public static final MacAddress IN_PROCESS_PEER_MAC = MacAddress.parse("52:54:00:00:00:01");

    private Addressing() {
    }

    /**
     * @param peerMac the peer's MAC when known (the in-process peer), else null
     * @throws IllegalArgumentException one line naming the option, the value and the reason
     */
    public static void check(MacAddress guestMac, Ipv4Cidr guest, Ipv4Address peer, MacAddress peerMac) {
        checkMac("--mac", guestMac);
        if (peerMac != null && guestMac.equals(peerMac)) {
            throw new IllegalArgumentException("bad --mac " + guestMac + ": it is the in-process peer's MAC");
        }
        int len = guest.prefixLength();
        if (len == 0) {
            throw new IllegalArgumentException("bad --ip " + guest + ": a /0 prefix puts every address on the link;"
                    + " use a prefix length of 1..31");
        }
        if (len == 32) {
            throw new IllegalArgumentException("bad --ip " + guest + ": a /32 leaves no room for the peer on the link;"
                    + " use /31 for a point-to-point link or a shorter prefix");
        }
        checkHost("--ip", guest.address());
        checkHost("--peer-ip", peer);
        if (peer.equals(guest.address())) {
            throw new IllegalArgumentException("bad --peer-ip " + peer + ": it is the guest's own address (--ip "
                    + guest + ")");
        }
        if (!guest.contains(peer)) {
            throw new IllegalArgumentException("bad --peer-ip " + peer + ": outside the guest's subnet "
                    + guest.network() + "/" + len + " (--ip " + guest + "); the guest has no router to reach it");
        }
        if (len <= 30) {
            checkNotSubnetAddress("--ip", guest.address(), guest);
            checkNotSubnetAddress("--peer-ip", peer, guest);
        }
    }

    private static void checkMac(String option, MacAddress mac) {
        if (mac.isZero()) {
            throw new IllegalArgumentException("bad " + option + " " + mac + ": the all-zero address is no station's");
        }
        if (mac.isBroadcast()) {
            throw new IllegalArgumentException("bad " + option + " " + mac + ": the broadcast address is no station's");
        }
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("bad " + option + " " + mac + ": a multicast (group) address; the"
                    + " first octet of a station's address is even, e.g. 52:54:00:12:34:56");
        }
    }

    private static void checkHost(String option, Ipv4Address a) {
        int top = (a.value() >>> 24) & 0xff;
        String why = top == 0 ? "0.0.0.0/8 is 'this network', not a host"
                : top == 127 ? "127.0.0.0/8 is loopback, never on a link"
                : top >= 224 && top < 240 ? "224.0.0.0/4 is multicast, not a host"
                : top >= 240 ? "240.0.0.0/4 is reserved (with the limited broadcast 255.255.255.255), not a host"
                : null;
        if (why != null) {
            throw new IllegalArgumentException("bad " + option + " " + a + ": " + why);
        }
    }

    private static void checkNotSubnetAddress(String option, Ipv4Address a, Ipv4Cidr subnet) {
        String net = subnet.network() + "/" + subnet.prefixLength();
        if (a.equals(subnet.network())) {
            throw new IllegalArgumentException("bad " + option + " " + a + ": the network address of " + net
                    + ", not a host");
        }
        if (a.equals(subnet.broadcast())) {
            throw new IllegalArgumentException("bad " + option + " " + a + ": the broadcast address of " + net
                    + ", not a host");
        }
    }
}
