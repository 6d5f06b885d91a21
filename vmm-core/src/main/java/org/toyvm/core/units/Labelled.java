package org.toyvm.core.units;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A closed set of choices that users write as a label ({@code 6.7}, {@code vdpa-sim}, {@code persist},
 * {@code virtual}) and reports print with the same label. The enums implement {@link #label()}; the
 * lookup and its error live here once, so every option that takes one of them refuses a bad value
 * with the same kind of message: the option's subject, the value, and every label accepted.
 */
public interface Labelled {
    /** The label users type and reports print. */
    String label();

    /**
     * The constant of {@code type} whose label is {@code text} (exact match).
     *
     * @param what the subject named in the error ("kernel", "parent", ...)
     * @throws IllegalArgumentException {@code bad WHAT 'TEXT': expected one of A, B, C}
     */
    static <E extends Enum<E> & Labelled> E parse(Class<E> type, String what, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.label().equals(text)) {
                return e;
            }
        }
        throw new IllegalArgumentException("bad " + what + " '" + text + "': expected one of " + labels(type));
    }

    /** Every label of {@code type}, in declaration order, comma-separated. */
    static <E extends Enum<E> & Labelled> String labels(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Labelled::label).collect(Collectors.joining(", "));
    }
}
