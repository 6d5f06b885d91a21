package org.toyvm.core.units;

import java.util.Locale;

/** Byte sizes as users write them: a number with an optional K/M/G/T suffix (powers of two). */
public final class Sizes {
    private Sizes() {
    }

    /**
     * Parses {@code 8G}, {@code 4P}, {@code 512M}, {@code 1T}, {@code 4096}, {@code 64k}; an optional trailing
     * {@code B}/{@code iB} is accepted ({@code 8GiB}).
     *
     * @throws IllegalArgumentException naming the value and the accepted form
     */
    public static long parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2))) {
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                case 'P' -> shift = 50;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        // ASCII digits only: Character.isDigit would let other scripts' digits through to parseLong.
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad size '" + text + "': expected a whole number with an optional"
                    + " K, M, G, T or P suffix (powers of two), e.g. 8G");
        }
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad size '" + text + "': number too large");
        }
        if (n == 0) {
            throw new IllegalArgumentException("bad size '" + text + "': must be greater than 0");
        }
        if (shift > 0 && Long.numberOfLeadingZeros(n) <= shift) {
            throw new IllegalArgumentException("bad size '" + text + "': larger than 2^63 bytes");
        }
        return n << shift;
    }

    /** A size as the shortest exact suffix form: 8G, 1536M, 4096. */
    public static String format(long bytes) {
        String[] suffix = {"", "K", "M", "G", "T", "P"};
        int i = 0;
        long v = bytes;
        while (i < suffix.length - 1 && v != 0 && (v & 1023) == 0) {
            v >>= 10;
            i++;
        }
        return v + suffix[i];
    }
}
