package org.toyvm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.toyvm.netdev.NetdevException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code toyvm} command line. Subcommands arrive with the experiments that implement them.
 *
 * <p>Exit codes (docs/DESIGN.md §6): 0 success; 1 a failure inside a run (reported in the report, then in
 * one line on stderr) or an internal error (one line; the stack trace only with {@code --log-level
 * debug} or finer); 2 a user error (bad flag, size, range, CIDR, netdev spec, path), one line on
 * stderr naming the option, the bad value and what is accepted, found before the run starts.
 * Nothing exits 0 unless the command did what it was asked.
 */
@Command(name = "toyvm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A toy VMM with a vhost-vdpa virtio-net device: measures what a guest reboot does to"
                + " connectivity for each userspace policy, kernel generation and vDPA parent, and what the"
                + " IOTLB teardown costs as the VM grows.",
        subcommands = {RunCommand.class, MigrateCommand.class, MatrixCommand.class, SweepCommand.class, UapiCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    /** Exit code of a user error. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of a failure inside a run. */
    public static final int EXIT_FAILURE = 1;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and answers the exit code (used by tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return execute(commandLine(out, err), args, err);
    }

    /** Runs {@code cl}; what escapes picocli's handlers is an internal error, exit 1. */
    static int execute(CommandLine cl, String[] args, PrintWriter err) {
        try {
            return cl.execute(args);
        } catch (Throwable t) { // an Error (OutOfMemoryError, StackOverflowError) that picocli lets through
            return internalError(t, err);
        }
    }

    /** One line for an error toyvm did not expect; the stack trace only when debug logging is on. */
    private static int internalError(Throwable ex, PrintWriter err) {
        String msg = ex.getMessage() == null ? "" : ": " + ex.getMessage().lines().findFirst().orElse("");
        err.println("toyvm: internal error: " + ex.getClass().getSimpleName() + msg
                + (debugLogging() ? "" : " (--log-level debug shows the stack trace)"));
        if (debugLogging()) {
            ex.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }

    private static boolean debugLogging() {
        return org.apache.logging.log4j.LogManager.getRootLogger().isDebugEnabled();
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            // One line naming the bad value and what is accepted; no usage dump, no stack trace.
            ex.getCommandLine().getErr().println("toyvm: " + ex.getMessage());
            ex.getCommandLine().getErr().flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            if (ex instanceof UsageException || ex instanceof NetdevException) {
                // A user error: bad options, or a netdev the host cannot open (QEMU refuses to start too).
                e.println("toyvm: " + ex.getMessage());
                e.flush();
                return EXIT_USAGE;
            }
            if (ex instanceof RunFailure) {
                e.println("toyvm: " + ex.getMessage());
                e.flush();
                return EXIT_FAILURE;
            }
            // Anything else is toyvm's own fault, never a user error and never exit 0.
            return internalError(ex, e);
        });
        return cl;
    }

    /** Reads the version Maven filtered into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/toyvm-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"toyvm " + p.getProperty("version", "unknown"),
                "JVM: ${java.version} (${java.vendor} ${java.vm.name})"};
        }
    }
}
