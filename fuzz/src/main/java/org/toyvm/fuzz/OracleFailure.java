package org.toyvm.fuzz;

import java.util.function.Supplier;

/** A surface broke one of its rules without throwing: the oracle names the rule. */
public class OracleFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of finding this is in the report. */
    public enum Kind { ORACLE, LEAK, HANG }

    private final Kind kind;
    private final String oracle;

    public OracleFailure(Kind kind, String oracle, String detail) {
        super(oracle + ": " + detail);
        this.kind = kind;
        this.oracle = oracle;
    }

    public static OracleFailure oracle(String oracle, String detail) {
        return new OracleFailure(Kind.ORACLE, oracle, detail);
    }

    public static OracleFailure leak(String oracle, String detail) {
        return new OracleFailure(Kind.LEAK, oracle, detail);
    }

    public static OracleFailure hang(String oracle, String detail) {
        return new OracleFailure(Kind.HANG, oracle, detail);
    }

    public Kind kind() {
        return kind;
    }

    public String oracle() {
        return oracle;
    }

    /** Checks {@code ok}, else fails the named oracle. */
    public static void check(boolean ok, String oracle, Supplier<String> detail) {
        if (!ok) {
            throw oracle(oracle, detail.get());
        }
    }
}
