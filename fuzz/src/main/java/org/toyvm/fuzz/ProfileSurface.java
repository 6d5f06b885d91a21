package org.toyvm.fuzz;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;

/**
 * Cost profile files: random lines of {@code key = DURATION} (every key, {@code base}, comments)
 * with edge-value durations, units, signs and junk, parsed as {@code --cost-profile FILE} would be.
 *
 * <p>Oracles: a file parses or fails with one IllegalArgumentException line naming the profile
 * and the line; a parsed profile has no negative figure, describes itself, and charging the work
 * of one reboot of a large guest (16 Mi pages pinned and unpinned, 64 GiB of MR, thousands of
 * calls) to a meter never makes a total negative (no overflow).
 */
final class ProfileSurface implements Surface<String> {
    private static final String[] VALUES = {
        "0ns", "1ns", "76ns", "1us", "1.5s", "2s", "10ms", "9223372036s", "9223372036854775807ns",
        "9223372036854775808ns", "18446744073709551615ns", "9223372037s", "106751d", "1e3ns", "-1s", "+1s", "0.000000001s",
        "1.0000000001s", "s", "ns", "", " 5 ms", "5MS", "5 s", "0x10ns", "NaNs", "Infinitys", "5", "1h", "1m", "00000000001s"
    };

    @Override
    public String name() {
        return "profile";
    }

    private static String value(Gen g) {
        return switch (g.below(4)) {
            case 0 -> g.int64() + g.pick("ns", "us", "ms", "s");
            case 1 -> Long.toUnsignedString(g.int64()) + g.pick("ns", "us", "ms", "s");
            default -> g.pick(VALUES);
        };
    }

    @Override
    public List<String> generate(Gen g) {
        List<String> s = new ArrayList<>();
        int n = 1 + g.below(8);
        for (int i = 0; i < n; i++) {
            String line = switch (g.below(10)) {
                case 0 -> "base = " + g.pick("default", "zero", "fast", "");
                case 1 -> "# " + value(g);
                case 2 -> g.pick("", "   ", "=", "= 1s", "pin_per_page", "pin_per_page =");
                case 3 -> g.pick(CostProfile.KEYS).toUpperCase(java.util.Locale.ROOT) + " = " + value(g);
                default -> g.pick(CostProfile.KEYS) + g.pick(" = ", "=", " =\t", " == ") + value(g)
                        + (g.chance(10) ? " # c" : "");
            };
            s.add(line);
        }
        return s;
    }

    @Override
    public String run(List<String> input) {
        CostProfile p;
        try {
            p = CostProfile.parse("fuzz.profile", new StringReader(String.join(g(input), input)));
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            OracleFailure.check(m.startsWith("cost profile fuzz.profile") && m.lines().count() == 1,
                    "profile-error-one-line", () -> m);
            return "refused";
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        for (long v : p.toArray()) {
            OracleFailure.check(v >= 0, "profile-non-negative", () -> p.toString());
        }
        p.describe();
        CostMeter m = new CostMeter(p);
        long pages = 16L << 20;
        m.chargeUnits(CostKind.PIN, pages);
        m.chargeUnits(CostKind.UNPIN, pages);
        m.chargeUnits(CostKind.MR_BUILD, 64.0);
        m.chargeUnits(CostKind.MR_DESTROY, 64.0);
        for (CostKind k : CostKind.values()) {
            m.chargeUnits(k, 4096);
        }
        for (CostKind k : CostKind.values()) {
            OracleFailure.check(m.total(k) >= 0, "meter-no-overflow", () -> k + " total " + m.total(k) + " with " + p);
        }
        OracleFailure.check(m.total() >= 0, "meter-no-overflow", () -> "total " + m.total() + " with " + p);
        return "parsed";
    }

    /** Lines are joined with \n, sometimes \r\n (a file written on Windows). */
    private static String g(List<String> input) {
        return input.size() % 5 == 4 ? "\r\n" : "\n";
    }
}
