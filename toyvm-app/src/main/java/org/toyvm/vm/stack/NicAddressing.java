package org.toyvm.vm.stack;

import java.util.ArrayList;
import java.util.List;

/**
 * The link and IP configuration of NIC {@code n} of a run with several NICs, derived from the run's
 * {@code --mac}, {@code --ip} and {@code --peer-ip} so that every NIC is on a wire and a subnet of its
 * own, deterministically:
 *
 * <ul>
 * <li>MAC: the run's MAC with {@code n} added to its last byte (mod 256; the first byte, which holds the
 *     unicast bit, never changes), e.g. 52:54:00:12:34:56, :57, :58 …</li>
 * <li>IPs: the guest's and the peer's addresses each moved up by {@code n} subnets of the run's prefix
 *     length (a /24 moves to the next /24: 192.168.77.2/24 → 192.168.78.2/24, peer .77.1 → .78.1), so
 *     host parts stay the same and no two NICs share a subnet.</li>
 * </ul>
 * NIC 0 is the run's own configuration (checked with the run). Each other NIC's derived configuration
 * passes {@link Addressing#check};
 * {@link #all} refuses, naming the NIC, a derived address no network could use (it moved into 224/4, for
 * instance) or a subnet that wrapped round onto an earlier NIC's (prefixes shorter than /4).
 */
public record NicAddressing(int nic, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp) {

    /** NIC {@code n}'s MAC: {@code base} with {@code n} added to its last byte (mod 256). */
    public static MacAddress macOf(MacAddress base, int n) {
        long v = base.value();
        return new MacAddress((v & ~0xffL) | ((v + n) & 0xff));
    }

    /** NIC {@code n}'s configuration (unchecked). */
    public static NicAddressing of(int n, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp) {
        int shift = ip.prefixLength() == 0 ? 0 : (int) ((long) n << (32 - ip.prefixLength()));
        return new NicAddressing(n, macOf(mac, n), new Ipv4Cidr(new Ipv4Address(ip.address().value() + shift),
                ip.prefixLength()), new Ipv4Address(peerIp.value() + shift));
    }

    /**
     * The configurations of NICs 0..{@code nics}-1, each checked ({@link Addressing#check}).
     *
     * @throws IllegalArgumentException one line naming the NIC, its derived values and the reason
     */
    public static List<NicAddressing> all(int nics, MacAddress mac, Ipv4Cidr ip, Ipv4Address peerIp,
            MacAddress peerMac) {
        List<NicAddressing> out = new ArrayList<>();
        for (int n = 0; n < nics; n++) {
            NicAddressing a = of(n, mac, ip, peerIp);
            try {
                if (n > 0) { // NIC 0 is the run's own, checked with the run (RunConfig#check)
                    Addressing.check(a.mac, a.ip, a.peerIp, peerMac);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("NIC " + n + " (" + a.describe() + ", derived from --mac, --ip and"
                        + " --peer-ip): " + e.getMessage());
            }
            for (NicAddressing b : out) {
                if (b.ip.network().equals(a.ip.network())) {
                    throw new IllegalArgumentException("NIC " + n + " (" + a.describe() + "): its subnet wraps round"
                            + " onto NIC " + b.nic + "'s; with --nics " + nics + " use a prefix of /" + minPrefix(nics)
                            + " or longer");
                }
            }
            out.add(a);
        }
        return out;
    }

    private static int minPrefix(int nics) {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(nics - 1));
    }

    /** "mac 52:54:00:12:34:57, ip 192.168.78.2/24, peer 192.168.78.1". */
    public String describe() {
        return "mac " + mac + ", ip " + ip + ", peer " + peerIp;
    }
}
