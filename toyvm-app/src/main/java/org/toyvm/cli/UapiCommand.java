package org.toyvm.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.toyvm.vm.uapi.UapiConsole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code toyvm uapi}: scripted ioctls and IOTLB writes against the simulated /dev/vhost-vdpa. */
@Command(name = "uapi", mixinStandardHelpOptions = true,
        description = "Run a script of ioctls and IOTLB writes (one operation per line) against the simulated"
                + " /dev/vhost-vdpa-0 and print one STEP line per operation.")
public final class UapiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KernelAndParent device;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCRIPT|-", description = "Script file, or - for stdin.")
    String script = "-";

    @Override
    public Integer call() throws Exception {
        UapiConsole c = new UapiConsole(device.kernel, device.parent, spec.commandLine().getOut());
        try (BufferedReader in = "-".equals(script)
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : readFile(script)) {
            c.run(in);
        } catch (UapiConsole.ScriptError e) {
            spec.commandLine().getOut().flush();
            throw new UsageException("uapi script " + script + ", " + e.getMessage());
        }
        return 0;
    }

    private static BufferedReader readFile(String f) throws java.io.IOException {
        Path p = Path.of(f);
        if (!Files.isRegularFile(p)) {
            throw new UsageException("uapi script '" + f + "' is not a readable file");
        }
        return Files.newBufferedReader(p, StandardCharsets.UTF_8);
    }
}
