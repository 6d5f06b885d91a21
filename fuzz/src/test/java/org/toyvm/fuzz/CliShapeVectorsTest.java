package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The machine-shape options' edge values, each on run, matrix and sweep, through the cli surface's
 * shape vectors and their oracles (a finding throws): every hostile value is a one-line usage error
 * (exit 2) before anything runs, whichever command takes it; the valid edges run — memlock 0 (ulimit -l 0)
 * fails the PA-mode device's every UPDATE and the run reports it (exit 1), pins nothing on a VA-mode
 * one (exit 0); a huge memlock is no limit.
 */
class CliShapeVectorsTest {
    private static final String[][] REFUSED = {
        {"--queues", "0"}, {"--queues", "17"}, {"--queues", "-1"}, {"--queues", "2147483648"}, {"--queues", "1,1"},
        {"--queues", ""}, {"--nics", "0"}, {"--nics", "17"}, {"--nics", "-1"}, {"--nics", "2147483648"},
        {"--nics", "1,1"}, {"--nics", ""}, {"--memlock", "-1"}, {"--memlock", ""}, {"--memlock", "16E"},
        {"--memlock", "99999999999T"}, {"--memory-backend", ""}, {"--memory-backend", "anon,,memfd"},
        {"--memory-backend", "anon,anon"}
    };

    @BeforeAll
    static void quiet() {
        // The refused UPDATEs of memlock 0 are logged as QEMU warns; the outcome is what is checked.
        FuzzCampaign.quietLogs();
    }

    private static String run(List<String> base, String... more) throws Exception {
        base.addAll(List.of(more));
        return new CliSurface().run(base);
    }

    @Test
    void everyHostileShapeValueIsAOneLineUsageErrorOnEveryCommand() throws Exception {
        CliSurface s = new CliSurface();
        for (String sub : new String[] {"run", "matrix", "sweep"}) {
            for (String[] o : REFUSED) {
                List<String> a = CliSurface.shapeBase(sub, "mlx5", "legacy");
                a.addAll(List.of(o));
                assertEquals("shape exit 2", s.run(a), String.join(" ", a));
            }
        }
    }

    @Test
    void theValidEdgesRunToAReport() throws Exception {
        assertEquals("shape exit 1", run(CliSurface.shapeBase("run", "mlx5", "legacy"), "--memlock", "0"),
                "PA mode: every UPDATE refused, the run says which device lost connectivity");
        assertEquals("shape exit 0", run(CliSurface.shapeBase("run", "vdpa-sim", "legacy"), "--memlock", "0",
                "--nics", "2"), "VA mode pins nothing");
        assertEquals("shape exit 0", run(CliSurface.shapeBase("matrix", "mlx5", "persist"), "--memlock",
                "9223372036854775807", "--nics", "1,2", "--queues", "2"));
    }
}
