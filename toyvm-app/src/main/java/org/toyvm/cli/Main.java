package org.toyvm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code toyvm} command line. Subcommands arrive with the experiments that implement them.
 *
 * <p>Exit codes (DESIGN §6): 0 success; 1 a failure inside a run (reported in the report);
 * 2 a user error (bad flag, size, CIDR, netdev spec), reported as one line on stderr that names
 * the bad value and what is accepted, without a stack trace.
 */
@Command(name = "toyvm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A toy VMM with a vhost-vdpa virtio-net device: measures what a guest reboot does to"
                + " connectivity for each userspace policy, kernel generation and vDPA parent, and what the"
                + " IOTLB teardown costs as the VM grows.",
        subcommands = {RunCommand.class, MatrixCommand.class, SweepCommand.class, UapiCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
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
        CommandLine cl = commandLine(out, err);
        return cl.execute(args);
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
            if (ex instanceof UsageException || ex instanceof IllegalArgumentException) {
                commandLine.getErr().println("toyvm: " + ex.getMessage());
                commandLine.getErr().flush();
                return EXIT_USAGE;
            }
            commandLine.getErr().println("toyvm: " + ex);
            commandLine.getErr().flush();
            return EXIT_FAILURE;
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
