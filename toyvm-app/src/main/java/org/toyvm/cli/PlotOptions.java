package org.toyvm.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.toyvm.vm.report.Plots;
import picocli.CommandLine.Option;

/** {@code --plot FILE.svg|FILE.png}. */
final class PlotOptions {
    @Option(names = "--plot", paramLabel = "FILE.svg|FILE.png", description = "Draw the report as a chart.")
    Path plot;

    /** Checks before the run: a name we can draw, in a place we can write. */
    void check() {
        if (plot != null) {
            try {
                Plots.checkFormat(plot);
            } catch (IllegalArgumentException e) {
                throw new UsageException("bad --plot '" + plot + "': expected a file name ending in .svg or .png");
            }
            OutputFile.checkWritable("--plot", plot);
        }
    }

    interface Drawing {
        void draw(Path file) throws IOException;
    }

    /** Draws to the file; a failure is one line naming the path and why. */
    void write(Drawing d) throws RunFailure {
        if (plot == null) {
            return;
        }
        try {
            d.draw(plot);
        } catch (IOException e) {
            throw new RunFailure("--plot " + plot + ": write failed: " + OutputFile.reason(e));
        }
    }
}
