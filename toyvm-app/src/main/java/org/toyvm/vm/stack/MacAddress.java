package org.toyvm.vm.stack;

import java.util.Locale;

/** A 48-bit Ethernet MAC address. */
public record MacAddress(long value) {
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((value & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("MAC address value does not fit in 48 bits");
        }
    }

    /**
     * Parses {@code 52:54:00:12:34:56}.
     *
     * @throws IllegalArgumentException naming the value and the accepted form
     */
    public static MacAddress parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(":", -1);
        if (parts.length != 6) {
            throw bad(text);
        }
        long v = 0;
        for (String p : parts) {
            // Two hex digits, nothing else: Integer.parseInt alone would take "+2" or "-0".
            if (p.length() != 2 || !isHex(p.charAt(0)) || !isHex(p.charAt(1))) {
                throw bad(text);
            }
            v = (v << 8) | Integer.parseInt(p, 16);
        }
        return new MacAddress(v);
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("bad MAC address '" + text
                + "': expected six two-digit hex bytes separated by ':', e.g. 52:54:00:12:34:56");
    }

    public static MacAddress fromBytes(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return new MacAddress(v);
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (8 * (5 - i)));
        }
        return b;
    }

    public boolean isBroadcast() {
        return value == BROADCAST.value;
    }

    /** The I/G bit (least significant bit of the first octet) marks a group address; broadcast is one too. */
    public boolean isMulticast() {
        return (value & (1L << 40)) != 0;
    }

    public boolean isZero() {
        return value == 0;
    }

    @Override
    public String toString() {
        byte[] b = toBytes();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(String.format(Locale.ROOT, "%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
