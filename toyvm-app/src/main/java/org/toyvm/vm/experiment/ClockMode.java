package org.toyvm.vm.experiment;

import org.toyvm.core.units.Labelled;

/** --clock: deterministic virtual time, or the system clock with real sockets. */
public enum ClockMode implements Labelled {
    VIRTUAL("virtual"),
    REAL("real");

    private final String label;

    ClockMode(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** Parses a label, with an error naming the value and every label accepted. */
    public static ClockMode parse(String s) {
        return Labelled.parse(ClockMode.class, "clock", s);
    }

    @Override
    public String toString() {
        return label;
    }
}
