package org.toyvm.fuzz;

import java.util.List;

/**
 * One fuzzed surface: draws an input (a list of steps, so that a failing input can be shrunk by
 * dropping steps) and runs it against fresh real objects, checking the surface's oracles.
 *
 * <p>{@link #run} answers the input's outcome (a short key: rc/errno pairs, NIC counters, exit
 * codes) or throws: an {@link OracleFailure} for a broken rule, anything else is a crash (an
 * exception that escaped the surface).
 *
 * @param <S> one step of an input
 */
public interface Surface<S> extends AutoCloseable {
    /** Short name used by {@code --surfaces} and in the report. */
    String name();

    List<S> generate(Gen g);

    String run(List<S> input) throws Throwable;

    /** Renders an input as a reproducer (one step per line). */
    default String describe(List<S> input) {
        StringBuilder sb = new StringBuilder();
        for (S s : input) {
            sb.append(s).append('\n');
        }
        return sb.toString();
    }

    /** Extra figures for the report (e.g. sampled runs of the CLI surface). */
    default String extra() {
        return "";
    }

    @Override
    default void close() {
    }
}
