/**
 * Values as users write them on the command line and in profile files: byte sizes with K/M/G/T/P
 * suffixes ({@link org.toyvm.core.units.Sizes}), durations in ns/us/ms/s with the saturating and
 * checked sums the run path uses ({@link org.toyvm.core.units.Durations}), and closed sets of
 * labelled choices ({@link org.toyvm.core.units.Labelled}: the one label lookup of the CLI enums —
 * kernel, parent, policy, clock — whose error names the value and every label accepted).
 *
 * <p>Parsers throw {@link java.lang.IllegalArgumentException} with a message naming the bad value
 * and the accepted form; the CLI turns that into its one-line user error (docs/DESIGN.md §6).
 *
 * <p>Depends on the JDK only; every layer above may use it.
 */
package org.toyvm.core.units;
