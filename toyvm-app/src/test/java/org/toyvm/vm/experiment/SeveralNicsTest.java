package org.toyvm.vm.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.net.vhost.QemuVersion;
import org.toyvm.net.vhost.ResetPolicy;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.kernel.IotlbFailure;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MapFailureLog;
import org.toyvm.vm.machine.NetSlot;
import org.toyvm.vm.machine.NetTopology;
import org.toyvm.vm.report.DeviceReport;
import org.toyvm.vm.report.IotlbTraceFile;
import org.toyvm.vm.report.Json;
import org.toyvm.vm.report.NicResult;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.report.TextReport;

/**
 * A VM with two vDPA NICs: each carries traffic before and after every reboot on its own wire, the
 * reboot is restored when both are back, and RLIMIT_MEMLOCK — one limit for the process, counted
 * against every device's pins — fails a device the way the kernel fails it (ENOMEM inside the
 * handler, EFAULT to QEMU), and the report says which device lost connectivity and why.
 */
class SeveralNicsTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final long RAM = 2L << 30;
    /** Pages of RAM plus the BIOS ROM: what one PA-mode device pins. */
    private static final long DEVICE_PAGES = (RAM >>> Pages.SHIFT) + (Machine.BIOS_SIZE >>> Pages.SHIFT);

    private static RunConfig cfg(ResetPolicy policy, QemuVersion qemu, NetTopology net, int reboots) {
        return MeasurementTest.cfg(CostProfile.zero().withGuestBootNs(50 * MS), reboots, 5 * MS, 200 * MS, 10 * S)
                .withMemory(RAM, policy).with(KernelVersion.V6_12, ParentKind.MLX5, policy).withQemu(qemu).withNet(net);
    }

    /** Reads the process's pinned count after the first boot and before the power-off. */
    private static final class Pins implements RebootExperiment.Inspector {
        final List<Long> seen = new ArrayList<>();
        final List<Long> perDevice = new ArrayList<>();

        @Override
        public void afterFirstBoot(Machine m) {
            note(m);
        }

        @Override
        public void beforePowerOff(Machine m) {
            note(m);
        }

        private void note(Machine m) {
            seen.add(m.hostMemory().pinnedPages());
            for (NetSlot s : m.nics()) {
                perDevice.add(s.kernelCounters().get(org.toyvm.vdpa.bus.KernelEvent.PAGES_PINNED)
                        - s.kernelCounters().get(org.toyvm.vdpa.bus.KernelEvent.PAGES_UNPINNED));
            }
        }
    }

    private static RunReport run(RunConfig c, RebootExperiment.Inspector inspector) {
        c.check();
        return new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT, inspector).run().report();
    }

    @Test
    void twoNicsEachCarryTrafficBeforeAndAfterEveryRebootAndTheHeadlineIsTheLastNicBack() {
        RunReport r = run(cfg(ResetPolicy.PERSIST, QemuVersion.V9_2, NetTopology.SINGLE.withNics(2), 2),
                RebootExperiment.Inspector.NONE);
        assertNull(r.summary().failure(), r.summary().failure());
        assertEquals(2, r.summary().restored());
        for (RebootResult b : r.reboots()) {
            assertTrue(b.restored(), b.explanation());
            assertEquals(2, b.nics().size());
            double lastBack = -1;
            Double lastDowntime = null;
            for (NicResult n : b.nics()) {
                assertEquals("vhost-vdpa-" + n.nic(), n.device());
                assertTrue(n.restored(), n.explanation());
                assertTrue(n.pingsSent() > n.pingsLost(), "the NIC's peer got replies in the window: " + n);
                assertTrue(n.mapFailures().isEmpty());
                if (n.backAfterMs() >= lastBack) {
                    lastBack = n.backAfterMs();
                    lastDowntime = n.downtimeMs();
                }
            }
            assertEquals(lastDowntime, b.downtimeMs(), "the headline is the NIC that came back last");
            assertEquals(b.nics().stream().mapToLong(NicResult::pingsSent).sum(), b.pingsSent());
        }
        assertEquals(2, r.devices().size());
        for (DeviceReport d : r.devices()) {
            assertEquals("ok", d.connectivity());
            assertEquals(DEVICE_PAGES, d.pagesPinnedAtEnd(), "persist: each device keeps its pins");
        }
        assertEquals("192.168.78.2/24", r.devices().get(1).ip());
        assertEquals("52:54:00:12:34:57", r.devices().get(1).mac());
        String text = TextReport.run(r);
        assertTrue(text.contains("  vhost-vdpa-1  yes"), text);
        assertTrue(new Json().pretty(r).contains("\"device\" : \"vhost-vdpa-1\""));
    }

    @Test
    void persistKeepsEveryDevicesPinsAcrossRebootsAndLegacyRepinsBothToTheSameCount() {
        Pins persist = new Pins();
        RunReport p = run(cfg(ResetPolicy.PERSIST, QemuVersion.V9_2, NetTopology.SINGLE.withNics(2), 2), persist);
        assertNull(p.summary().failure());
        for (RebootResult b : p.reboots()) {
            for (NicResult n : b.nics()) {
                assertEquals(0, n.pagesPinned(), "persist pins nothing again: " + n.explanation());
                assertEquals(0, n.pagesUnpinned());
            }
        }
        assertEquals(List.of(2 * DEVICE_PAGES, 2 * DEVICE_PAGES), persist.seen);

        Pins legacy = new Pins();
        RunReport l = run(cfg(ResetPolicy.LEGACY, QemuVersion.V9_2, NetTopology.SINGLE.withNics(2), 2), legacy);
        assertNull(l.summary().failure());
        for (RebootResult b : l.reboots()) {
            assertTrue(b.restored(), b.explanation());
            for (NicResult n : b.nics()) {
                assertEquals(DEVICE_PAGES, n.pagesPinned(), "legacy re-pins each device: " + n.explanation());
                assertEquals(DEVICE_PAGES, n.pagesUnpinned());
            }
            assertEquals(2 * DEVICE_PAGES, b.pagesPinned());
        }
        // One mm for the process: its pinned count is both devices', and returns to it after each reboot.
        assertEquals(List.of(2 * DEVICE_PAGES, 2 * DEVICE_PAGES), legacy.seen);
        assertEquals(List.of(DEVICE_PAGES, DEVICE_PAGES, DEVICE_PAGES, DEVICE_PAGES), legacy.perDevice);
    }

    @Test
    void aMemlockOfOneGigPlusRamMapsTheFirstNicAndFailsTheSecondWithEnomemAndTheReportSaysSo() {
        NetTopology tight = NetTopology.SINGLE.withNics(2).withMemlock((1L << 30) + RAM);
        RunReport r = run(cfg(ResetPolicy.PERSIST, QemuVersion.V9_2, tight, 1), RebootExperiment.Inspector.NONE);
        assertNotNull(r.summary().failure());
        assertTrue(r.summary().failure().startsWith("vhost-vdpa-1 (NIC 1, "), r.summary().failure());
        assertTrue(r.summary().failure().contains("ENOMEM inside vhost_vdpa_pa_map: RLIMIT_MEMLOCK 3G exhausted"),
                r.summary().failure());
        assertFalse(r.summary().failure().contains("vhost-vdpa-0"), r.summary().failure());
        DeviceReport d0 = r.devices().get(0);
        DeviceReport d1 = r.devices().get(1);
        assertEquals("ok", d0.connectivity());
        assertTrue(d0.mapFailures().isEmpty());
        assertEquals(DEVICE_PAGES, d0.pagesPinnedAtEnd());
        // NIC 1: RAM refused (ENOMEM inside, EFAULT to QEMU), the small BIOS ROM still fits.
        assertEquals(1, d1.mapFailures().size(), d1.mapFailures().toString());
        assertTrue(d1.mapFailures().get(0).startsWith("IOTLB UPDATE iova 0x0 size 0x80000000: write() EFAULT (ENOMEM"),
                d1.mapFailures().get(0));
        assertEquals(Machine.BIOS_SIZE >>> Pages.SHIFT, d1.pagesPinnedAtEnd());
        assertTrue(d1.connectivity().contains("lost connectivity"), d1.connectivity());
        String text = TextReport.run(r);
        assertTrue(text.contains("vhost-vdpa-1 NO CONNECTIVITY: "), text);
        assertTrue(new Json().pretty(r).contains("RLIMIT_MEMLOCK 3G exhausted"));
    }

    @Test
    void theRefusalKeepsTheKernelsInnerReasonAndWhatQemuSaw() {
        NetTopology tight = NetTopology.SINGLE.withNics(2).withMemlock((1L << 30) + RAM);
        RunConfig c = cfg(ResetPolicy.PERSIST, QemuVersion.V9_2, tight, 0);
        List<MapFailureLog.Failure> seen = new ArrayList<>();
        new RebootExperiment(c, IotlbTraceSink.NONE, PooledByteBufAllocator.DEFAULT,
                new RebootExperiment.Inspector() {
                    @Override
                    public void beforePowerOff(Machine m) {
                        assertEquals(0, m.slot(0).mapFailures().count());
                        seen.addAll(m.slot(1).mapFailures().failures());
                    }
                }).run();
        assertEquals(1, seen.size());
        MapFailureLog.Failure f = seen.get(0);
        assertEquals("EFAULT", f.errno(), "vhost_chr_write_iter turns every handler error into EFAULT");
        assertEquals("ENOMEM", f.innerErrno());
        assertEquals(IotlbFailure.MEMLOCK, f.reason());
        assertEquals(DEVICE_PAGES, f.pinnedPages(), "NIC 0's pins, counted in the one mm");
        assertEquals((1L << 30) + RAM, f.limitBytes());
    }

    @Test
    void libvirtsDefaultLimitFitsBothDevices() {
        RunConfig c = cfg(ResetPolicy.LEGACY, QemuVersion.V9_2, NetTopology.SINGLE.withNics(2), 1);
        assertEquals((1L << 30) + 2 * RAM, c.net().memlockLimit(RAM));
        RunReport r = run(c, RebootExperiment.Inspector.NONE);
        assertNull(r.summary().failure());
        assertTrue(r.reboots().get(0).restored());
        assertTrue(r.devices().stream().allMatch(d -> d.mapFailures().isEmpty()));
    }

    @Test
    void aVaModeParentPinsNothingSoTheSameLowLimitFailsNoDevice() {
        NetTopology tight = NetTopology.SINGLE.withNics(2).withMemlock((1L << 30) + RAM);
        RunConfig c = cfg(ResetPolicy.PERSIST, QemuVersion.V9_2, tight, 1).with(KernelVersion.V6_12,
                ParentSpec.parse("vdpa-sim"), ResetPolicy.PERSIST);
        RunReport r = run(c, RebootExperiment.Inspector.NONE);
        assertNull(r.summary().failure(), r.summary().failure());
        for (DeviceReport d : r.devices()) {
            assertTrue(d.mapping().startsWith("VA mode"), d.mapping());
            assertTrue(d.mapping().contains("RLIMIT_MEMLOCK does not apply"), d.mapping());
            assertEquals(0, d.pagesPinnedAtEnd());
        }
    }

    @Test
    void severalNicsRunOnTheVirtualClockOnlyWithAnyNumberOfPairs() {
        RunConfig c = cfg(ResetPolicy.PERSIST, QemuVersion.V9_2, NetTopology.SINGLE.withNics(2), 1);
        c.check();
        RunConfig live = new RunConfig(c.memoryBytes(), c.kernel(), c.parent(), c.policy(), 1, c.pingIntervalNs(),
                c.costs(), c.costProfileName(), ClockMode.REAL, "local", c.mac(), c.ip(), c.peerIp(), c.warmupNs(),
                c.settleNs(), c.timeoutNs(), c.durationNs(), 1, c.qemu(), c.memoryBackend(), c.net());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, live::check);
        assertTrue(e.getMessage().startsWith("--nics 2 with --clock real"), e.getMessage());
        c.withNet(NetTopology.SINGLE.withNics(2).withQueuePairs(2)).check();
    }

    @Test
    void oneNicKeepsItsReportAsBeforeUnlessItsDeviceWasRefused() {
        RunReport one = run(cfg(ResetPolicy.PERSIST, QemuVersion.V9_2, NetTopology.SINGLE, 1),
                RebootExperiment.Inspector.NONE);
        assertNull(one.devices());
        assertNull(one.reboots().get(0).nics());
        String json = new Json().pretty(one);
        assertFalse(json.contains("\"devices\""), json);
        assertFalse(json.contains("\"nics\" : ["), json);

        RunReport refused = run(cfg(ResetPolicy.PERSIST, QemuVersion.V9_2, NetTopology.SINGLE.withMemlock(1L << 30), 1),
                RebootExperiment.Inspector.NONE);
        assertNotNull(refused.summary().failure());
        assertTrue(refused.summary().failure().startsWith("vhost-vdpa-0 (NIC 0, "), refused.summary().failure());
        assertEquals(1, refused.devices().size());
        assertTrue(refused.devices().get(0).connectivity().contains("RLIMIT_MEMLOCK 1G exhausted"),
                refused.devices().get(0).connectivity());
    }

    @Test
    void theIotlbTraceNamesTheDeviceOfEachLineWhenThereAreSeveral(@TempDir Path dir) throws Exception {
        Path two = dir.resolve("two.jsonl");
        try (IotlbTraceFile t = new IotlbTraceFile(two)) {
            new RebootExperiment(cfg(ResetPolicy.LEGACY, QemuVersion.V9_2, NetTopology.SINGLE.withNics(2), 1), t,
                    PooledByteBufAllocator.DEFAULT).run();
        }
        List<String> lines = Files.readAllLines(two);
        assertTrue(lines.stream().allMatch(l -> l.endsWith(",\"device\":\"vhost-vdpa-0\"}")
                || l.endsWith(",\"device\":\"vhost-vdpa-1\"}")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("vhost-vdpa-1") && l.contains("\"UPDATE\"")));
        Path one = dir.resolve("one.jsonl");
        try (IotlbTraceFile t = new IotlbTraceFile(one)) {
            new RebootExperiment(cfg(ResetPolicy.LEGACY, QemuVersion.V9_2, NetTopology.SINGLE, 1), t,
                    PooledByteBufAllocator.DEFAULT).run();
        }
        assertTrue(Files.readAllLines(one).stream().noneMatch(l -> l.contains("device")));
    }
}
