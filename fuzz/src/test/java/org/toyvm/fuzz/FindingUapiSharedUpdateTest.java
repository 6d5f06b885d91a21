package org.toyvm.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vm.uapi.UapiConsole;

/**
 * Finding uapi-2 (findings-fuzz.md; issue 11 item 3): one UPDATE over a large shared (4 KiB-run)
 * mapping adds one entry per page and every insert rebuilt the IOTLB index, so the campaign's
 * 10 s watchdog fired inside VhostIotlb.reindex. Here: 1 GiB, 262144 entries, on vdpa-sim inside a
 * batch as found; the script must complete and print its STEP line.
 */
class FindingUapiSharedUpdateTest {
    @Test
    void updateOfAOneGibSharedMappingCompletes() throws Exception {
        StringWriter out = new StringWriter();
        new UapiConsole(KernelVersion.V6_7, ParentSpec.vdpaSim(false, false), new PrintWriter(out)).run(new BufferedReader(
                new StringReader("open\nset_owner\nmmap b 1G shared\nbatch_begin\nupdate iova=1G size=1G uaddr=b perm=rw\n"
                        + "batch_end\npinned\n")));
        assertTrue(out.toString().contains("update rc=72 errno=0"), out.toString());
        assertTrue(out.toString().contains("pinned_pages=262144"), out.toString());
    }
}
