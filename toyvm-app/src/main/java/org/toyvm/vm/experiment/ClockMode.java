package org.toyvm.vm.experiment;

/** --clock: deterministic virtual time, or the system clock with real sockets. */
public enum ClockMode {
    VIRTUAL("virtual"),
    REAL("real");

    private final String label;

    ClockMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static ClockMode parse(String s) {
        for (ClockMode m : values()) {
            if (m.label.equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("bad clock '" + s + "': expected virtual or real");
    }

    @Override
    public String toString() {
        return label;
    }
}
