package org.toyvm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import picocli.CommandLine.Option;

/**
 * {@code --log-level} and QEMU-style {@code --trace PATTERN}. Trace points are loggers named
 * {@code trace.<point>} (for example {@code trace.vhost_vdpa_dma_map}); a pattern with {@code *}
 * wildcards enables every matching point at TRACE level, as QEMU's {@code -trace} does. Log output
 * goes to stderr so that stdout carries only the report.
 */
public final class LoggingOptions {
    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "warn",
            description = "Log level: off, error, warn, info, debug, trace (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(names = "--trace", paramLabel = "PATTERN",
            description = "Enable trace points matching PATTERN, e.g. 'vhost_vdpa_*' (repeatable).")
    List<String> trace = new ArrayList<>();

    /** Applies the options to the running Log4j2 configuration. */
    public void apply() {
        Level level = Level.toLevel(logLevel.toUpperCase(Locale.ROOT), null);
        if (level == null) {
            throw new UsageException("bad --log-level '" + logLevel + "': expected off, error, warn, info, debug or trace");
        }
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        config.getRootLogger().setLevel(level);
        if (!trace.isEmpty()) {
            List<Pattern> patterns = new ArrayList<>();
            for (String p : trace) {
                if (p.isBlank() || !p.matches("[A-Za-z0-9_*]+")) {
                    throw new UsageException("bad --trace '" + p
                            + "': expected a trace point name of letters, digits and '_', with '*' wildcards");
                }
                patterns.add(Pattern.compile("trace\\." + p.replace("*", "[A-Za-z0-9_]*")));
            }
            LoggerConfig lc = config.getLoggerConfig("trace");
            lc.setLevel(Level.TRACE);
            lc.addFilter(new TracePointFilter(patterns));
        }
        ctx.updateLoggers();
    }

    /** Lets through the events of the trace points that match one of the patterns. */
    private static final class TracePointFilter extends AbstractFilter {
        private final List<Pattern> patterns;

        TracePointFilter(List<Pattern> patterns) {
            super(Filter.Result.NEUTRAL, Filter.Result.DENY);
            this.patterns = List.copyOf(patterns);
        }

        @Override
        public Result filter(LogEvent event) {
            String name = event.getLoggerName();
            for (Pattern p : patterns) {
                if (p.matcher(name).matches()) {
                    return onMatch;
                }
            }
            return onMismatch;
        }
    }
}
