package org.toyvm.vm.uapi;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * The arguments of a {@code toyvm uapi} script line, read at the width of the uAPI field each is
 * carried in ({@link Field}): a value that does not fit is a {@link UapiConsole.ScriptError} naming
 * the line, the argument and the accepted range, because a C program could not put it there either.
 */
final class ScriptArgs {
    private final IntSupplier line;

    ScriptArgs(IntSupplier line) {
        this.line = line;
    }

    private UapiConsole.ScriptError bad(String msg) {
        return new UapiConsole.ScriptError(line.getAsInt(), msg);
    }

    /** The unsigned width of the uAPI field an argument is carried in. */
    enum Field {
        U8(8), U32(32), U64(64); // inside this enum, U64 names the constant: the helper class is qualified

        final int bits;

        Field(int bits) {
            this.bits = bits;
        }

        long max() {
            return bits == 64 ? org.toyvm.core.addr.U64.MAX : (1L << bits) - 1;
        }

        String range() {
            return "0.." + org.toyvm.core.addr.U64.hex(max()) + " (" + name().toLowerCase(Locale.ROOT) + ")";
        }
    }

    int perm(String p) {
        if (p == null) {
            throw bad("update needs perm=ro|wo|rw|none");
        }
        return switch (p) {
            case "ro" -> VhostUapi.VHOST_ACCESS_RO;
            case "wo" -> VhostUapi.VHOST_ACCESS_WO;
            case "rw" -> VhostUapi.VHOST_ACCESS_RW;
            case "none" -> 0;
            default -> {
                // Any other u8 reaches the kernel as it is (vhost-vdpa does not check perm).
                if (!p.isEmpty() && Character.isDigit(p.charAt(0))) {
                    yield (int) parse(p, "perm=", Field.U8);
                }
                throw bad("perm '" + p + "' is not ro, wo, rw, none or a number " + Field.U8.range());
            }
        };
    }

    static String permName(int p) {
        return switch (p) {
            case 1 -> "ro";
            case 2 -> "wo";
            case 3 -> "rw";
            default -> "none";
        };
    }

    void need(String op, List<String> pos, int n) {
        if (pos.size() < n) {
            throw bad(op + " needs " + n + " argument(s)");
        }
    }

    long num(List<String> pos, int i, String what, Field field) {
        if (i >= pos.size()) {
            throw bad("missing argument " + (i + 1) + " (" + what + ")");
        }
        return parse(pos.get(i), "argument " + (i + 1) + " (" + what + ")", field);
    }

    /** A u32 positional argument, as the int holding its bits. */
    int u32(List<String> pos, int i, String what) {
        return (int) num(pos, i, what, Field.U32);
    }

    /** A u64 key=value argument. */
    long key(Map<String, String> kv, String k) {
        String v = kv.get(k);
        if (v == null) {
            throw bad("missing " + k + "=VALUE");
        }
        return parse(v, k + "=", Field.U64);
    }

    /** The optional u32 asid= (0 when absent), as the int holding its bits. */
    int asid(Map<String, String> kv) {
        return kv.containsKey("asid") ? (int) parse(kv.get("asid"), "asid=", Field.U32) : 0;
    }

    /**
     * 0x hex, decimal, or a decimal with a K/M/G/T suffix, unsigned, checked against the width of the
     * field it goes into: a value that does not fit is a script error with the accepted range.
     */
    long parse(String s, String what, Field field) {
        boolean hex = s.startsWith("0x") || s.startsWith("0X");
        String digits = hex ? s.substring(2) : s;
        boolean suffixed = !hex && s.length() > 1
                && "KMGT".indexOf(Character.toUpperCase(s.charAt(s.length() - 1))) >= 0;
        String body = suffixed ? digits.substring(0, digits.length() - 1) : digits;
        boolean wellFormed = !body.isEmpty()
                && body.chars().allMatch(c -> hex ? Character.digit(c, 16) >= 0 : c >= '0' && c <= '9');
        if (!wellFormed) {
            throw bad(what + ": '" + s + "' is not a number (decimal, 0x hex, or with a K/M/G/T suffix)");
        }
        long v;
        try {
            boolean zero = body.chars().allMatch(c -> c == '0'); // Sizes refuses 0K; it is 0
            v = hex ? Long.parseUnsignedLong(digits, 16)
                    : suffixed ? (zero ? 0 : org.toyvm.core.units.Sizes.parse(s)) : Long.parseUnsignedLong(digits);
        } catch (IllegalArgumentException e) { // well-formed digits, so: more than 64 bits
            throw bad(what + ": '" + s + "' is out of range " + field.range());
        }
        if (Long.compareUnsigned(v, field.max()) > 0) {
            throw bad(what + ": '" + s + "' is out of range " + field.range());
        }
        return v;
    }
}
