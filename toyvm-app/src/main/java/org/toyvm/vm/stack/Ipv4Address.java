package org.toyvm.vm.stack;

/** An IPv4 address as an unsigned 32-bit value in an int. */
public record Ipv4Address(int value) {
    /**
     * Parses dotted-quad {@code 192.168.77.1}.
     *
     * @throws IllegalArgumentException naming the value and the accepted form
     */
    public static Ipv4Address parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("\\.", -1);
        if (parts.length != 4) {
            throw bad(text);
        }
        int v = 0;
        for (String p : parts) {
            // ASCII digits, no leading zero (inet_aton would read 010 as octal 8; inet_pton refuses it).
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                throw bad(text);
            }
            int o = Integer.parseInt(p);
            if (o > 255) {
                throw bad(text);
            }
            v = (v << 8) | o;
        }
        return new Ipv4Address(v);
    }

    /** The address as an unsigned number. */
    public long unsigned() {
        return Integer.toUnsignedLong(value);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("bad IPv4 address '" + text + "': expected a dotted quad, e.g. 192.168.77.1");
    }

    @Override
    public String toString() {
        return ((value >>> 24) & 0xff) + "." + ((value >>> 16) & 0xff) + "." + ((value >>> 8) & 0xff) + "." + (value & 0xff);
    }
}
