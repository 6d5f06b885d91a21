package org.toyvm.cli;

import java.util.function.Function;
import org.toyvm.core.units.Durations;
import org.toyvm.core.units.Labelled;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.experiment.ClockMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters whose errors name the bad value and the accepted form (docs/DESIGN.md §6).
 * picocli instantiates converters by class, so each option type has a no-argument subclass of the one
 * generic converter.
 */
final class Converters {
    private Converters() {
    }

    /** A parser's IllegalArgumentException (its message names the value) as picocli's conversion error. */
    abstract static class Parsed<T> implements ITypeConverter<T> {
        private final Function<String, T> parse;

        Parsed(Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public T convert(String value) {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An option that takes one label of a {@link Labelled} enum. */
    abstract static class Label<E extends Enum<E> & Labelled> extends Parsed<E> {
        Label(Function<String, E> parse) {
            super(parse);
        }
    }

    static final class Duration extends Parsed<Long> {
        Duration() {
            super(Durations::parseNanos);
        }
    }

    static final class Kernel extends Label<KernelVersion> {
        Kernel() {
            super(KernelVersion::parse);
        }
    }

    /** A parent with its module options ({@link ParentSpec#parse}). */
    static final class Parent extends Parsed<ParentSpec> {
        Parent() {
            super(ParentSpec::parse);
        }
    }

    static final class Policy extends Label<ResetPolicy> {
        Policy() {
            super(ResetPolicy::parse);
        }
    }

    static final class Clock extends Label<ClockMode> {
        Clock() {
            super(ClockMode::parse);
        }
    }
}
