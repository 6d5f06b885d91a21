package org.toyvm.vm.stack;

/** An interface address with its prefix, {@code 192.168.77.2/24}. */
public record Ipv4Cidr(Ipv4Address address, int prefixLength) {
    public Ipv4Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not in 0..32");
        }
    }

    /**
     * Parses {@code 192.168.77.2/24} (a bare address means /32).
     *
     * @throws IllegalArgumentException naming the value and the accepted form
     */
    public static Ipv4Cidr parse(String text) {
        String t = text == null ? "" : text.trim();
        int slash = t.indexOf('/');
        try {
            if (slash < 0) {
                return new Ipv4Cidr(Ipv4Address.parse(t), 32);
            }
            String len = t.substring(slash + 1);
            if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException();
            }
            return new Ipv4Cidr(Ipv4Address.parse(t.substring(0, slash)), Integer.parseInt(len));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad CIDR '" + text
                    + "': expected an IPv4 address with a prefix length 0..32, e.g. 192.168.77.2/24");
        }
    }

    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** The subnet's network address (host bits clear). */
    public Ipv4Address network() {
        return new Ipv4Address(address.value() & netmask());
    }

    /** The subnet's directed broadcast address (host bits set). */
    public Ipv4Address broadcast() {
        return new Ipv4Address(address.value() | ~netmask());
    }

    public boolean contains(Ipv4Address other) {
        return (other.value() & netmask()) == (address.value() & netmask());
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
