package org.toyvm.cli;

import org.toyvm.core.units.Durations;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters whose errors name the bad value and the accepted form (DESIGN §6). */
final class Converters {
    private Converters() {
    }

    static final class Duration implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Durations.parseNanos(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Kernel implements ITypeConverter<KernelVersion> {
        @Override
        public KernelVersion convert(String value) {
            try {
                return KernelVersion.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Parent implements ITypeConverter<ParentKind> {
        @Override
        public ParentKind convert(String value) {
            try {
                return ParentKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Policy implements ITypeConverter<ResetPolicy> {
        @Override
        public ResetPolicy convert(String value) {
            try {
                return ResetPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
