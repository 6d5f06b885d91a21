package org.toyvm.vm.experiment;

import io.netty.buffer.PooledByteBufAllocator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.toyvm.core.time.RealScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.net.vhost.FrontendCounters;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.netdev.InProcessWire;
import org.toyvm.netdev.NetdevSpec;
import org.toyvm.netdev.UdpPort;
import org.toyvm.netdev.WirePort;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.uapi.VhostUapi;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.guest.ToyGuest;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.report.RebootResult;
import org.toyvm.vm.report.RunReport;
import org.toyvm.vm.report.Timeline;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.Packets;

/**
 * A run on the real clock: the machine on a Netty event loop, modelled costs as scheduled delays,
 * and the peer either in-process or a real network stack behind a socket port (VXLAN, dgram).
 *
 * <p>The reset instant is taken on the event loop when the guest's status-0 write reaches the device,
 * not when the caller asks for the reboot. With the in-process peer ({@code --netdev local})
 * connectivity is judged as on the virtual clock: back when the peer receives a reply to a request
 * it sent after that instant. With an outside peer (a real {@code ping} behind VXLAN, dgram, stream)
 * it is seen through what the guest receives and answers: back when the guest answers a request it
 * received after the reset, and the peer's losses are counted from the gap in the requests' ICMP
 * sequence numbers (so a real {@code ping} on the peer side agrees with the counts); when the guest
 * never answered again those counts are unknown (null), never guessed.
 *
 * <p>Like the virtual run, no reboot starts before the first echo reply (bounded by the timeout), and
 * every requested reboot runs, also after one that was not restored. The calling thread only waits
 * and prints progress; every component runs on the event loop, and what the waiting thread reads is
 * volatile.
 */
public final class LiveRun {
    private final RunConfig cfg;
    private final IotlbTraceSink trace;
    private final PrintWriter progress;

    public LiveRun(RunConfig cfg, IotlbTraceSink trace, PrintWriter progress) {
        this.cfg = cfg;
        this.trace = trace;
        this.progress = progress;
    }

    /** Both views of the pings: the guest's (requests it answered) and, with the local peer, the peer's. */
    private static final class Seen extends PeerRecorder {
        final boolean peerView;
        volatile long repliesSent;
        // Guest side: the latest request answered and when.
        long lastSeq = -1;
        long lastGuestReply = -1;
        long lastSeqBeforeReset = -1;
        long firstSeqAfterReset = -1;

        Seen(boolean peerView) {
            this.peerView = peerView;
        }

        @Override
        void beginReboot(int index, long t) {
            super.beginReboot(index, t);
            lastSeqBeforeReset = -1;
            firstSeqAfterReset = -1;
        }

        @Override
        public void resetWritten(long t) {
            super.resetWritten(t);
            lastSeqBeforeReset = lastSeq;
            if (!peerView) {
                lastReplyBeforeReset = lastGuestReply;
            }
        }

        @Override
        public void echoRequestAnswered(Packets.Echo request, long t) {
            repliesSent++;
            lastSeq = request.seq();
            lastGuestReply = t;
            if (!peerView) {
                // The guest is down from the reset to DRIVER_OK: a request it answers after the reset
                // was received after it, through the restored datapath.
                boolean first = restoredAt < 0;
                replyAt(t, true);
                if (first && restoredAt >= 0) {
                    firstSeqAfterReset = request.seq();
                }
            }
        }
    }

    private static <T> T on(RealScheduler s, Callable<T> c) {
        FutureTask<T> f = new FutureTask<>(c);
        s.execute(f);
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("event loop did not answer: " + e, e);
        }
    }

    /** Waits until {@code done} or {@code timeoutNs} of real time, a progress line a second. */
    private boolean waitFor(BooleanSupplier done, long timeoutNs, RealScheduler s, Seen seen, String what)
            throws InterruptedException {
        long start = System.nanoTime();
        long lastPrint = start;
        while (!done.getAsBoolean()) {
            long now = System.nanoTime();
            if (now - start > timeoutNs) {
                return false;
            }
            if (now - lastPrint >= 1_000_000_000L) {
                lastPrint = now;
                progress.printf(Locale.ROOT, "toyvm: %s... t=%.1fs, replies sent by the guest: %d%n", what,
                        s.now() / 1e9, seen.repliesSent);
                progress.flush();
            }
            Thread.sleep(5);
        }
        return true;
    }

    /**
     * Says when the guest's interface came up: pings sent to it before that are lost, and on a busy
     * machine the JVM's start (class loading, JIT, the guest's first boot) can take seconds, so a
     * peer should start pinging after this line rather than after a fixed delay.
     */
    private boolean guestUp(Seen seen) {
        progress.printf(Locale.ROOT, "toyvm: guest up at t=%.3fs (DRIVER_OK done); answering echo requests%n",
                seen.firstUp / 1e9);
        progress.flush();
        return true;
    }

    /** Waits until the scheduler's clock reaches {@code t}. */
    private void sleepUntil(long t, RealScheduler s, Seen seen, String what) throws InterruptedException {
        waitFor(() -> s.now() >= t, Long.MAX_VALUE, s, seen, what);
    }

    @FunctionalInterface
    private interface BooleanSupplier {
        boolean getAsBoolean();
    }

    public RebootExperiment.Outcome run() throws InterruptedException {
        NetdevSpec spec = NetdevSpec.parse(cfg.netdev());
        boolean local = spec.kind() == NetdevSpec.Kind.LOCAL;
        Seen seen = new Seen(local);
        List<RebootResult> results = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        String failure = null;
        try (RealScheduler s = new RealScheduler()) {
            InProcessWire wire = local ? new InProcessWire(s, cfg.costs().wireLatencyNs()) : null;
            WirePort port = wire != null ? wire.endA()
                    : spec.kind() == NetdevSpec.Kind.STREAM ? org.toyvm.netdev.StreamPort.open(spec, s.eventLoop())
                    : UdpPort.open(spec, s.eventLoop());
            progress.println("toyvm: live run on " + port.describe());
            Machine m = on(s, () -> new Machine(cfg.machine(), s, port, trace));
            ToyGuest guest = on(s, () -> new ToyGuest(m, cfg.mac(), cfg.ip(), cfg.peerIp(), cfg.pingIntervalNs(),
                    cfg.bootNs(), seen, PooledByteBufAllocator.DEFAULT));
            PeerHost peer = wire == null ? null : on(s, () -> new PeerHost(s, wire.endB(),
                    MacAddress.parse("52:54:00:00:00:01"), new Ipv4Cidr(cfg.peerIp(), cfg.ip().prefixLength()),
                    cfg.ip().address(), cfg.pingIntervalNs(), PooledByteBufAllocator.DEFAULT, seen));
            try {
                on(s, () -> {
                    guest.powerOn();
                    if (peer != null) {
                        peer.start();
                    }
                    return null;
                });
                if (!waitFor(() -> seen.firstUp >= 0 || seen.probeFailure != null, cfg.timeoutNs(), s, seen, "booting")
                        || seen.probeFailure != null || seen.firstUp > cfg.timeoutNs()) {
                    // firstUp is when DRIVER_OK's handling ends: past the timeout, the guest is not up in time.
                    failure = seen.probeFailure != null ? "guest probe failed: " + seen.probeFailure
                            : "the guest did not come up within the timeout";
                } else if (cfg.reboots() == 0) {
                    guestUp(seen);
                    waitFor(() -> false, cfg.durationNs(), s, seen, "running");
                } else if (guestUp(seen) && !waitFor(() -> seen.firstReplyAt >= 0, cfg.timeoutNs(), s, seen,
                        "waiting for the first echo reply")) {
                    failure = RebootExperiment.neverConnected(cfg);
                } else {
                    sleepUntil(Math.max(Durations.addSaturating(seen.firstUp, cfg.warmupNs()), seen.firstReplyAt), s,
                            seen, "warm-up");
                    for (int i = 1; i <= cfg.reboots(); i++) {
                        Pending p = reboot(s, m, guest, seen, i);
                        pending.add(p);
                        progress.println("toyvm: reboot " + i + ": " + (p.restored() ? "connectivity back after "
                                + String.format(Locale.ROOT, "%.1f", p.downtimeMs()) + " ms"
                                : "connectivity NOT restored"));
                        progress.flush();
                        sleepUntil(Durations.addSaturating(s.now(), cfg.settleNs()), s, seen, "settling");
                    }
                }
            } finally {
                on(s, () -> {
                    guest.shutdown();
                    if (peer != null) {
                        peer.stop();
                    }
                    m.close();
                    return null;
                });
                port.close();
                if (wire != null) {
                    wire.endB().close();
                }
            }
            // Counted once traffic has stopped: replies in flight at the end of a window count as received.
            List<RebootResult> done = on(s, () -> {
                List<RebootResult> out = new ArrayList<>();
                for (int i = 0; i < pending.size(); i++) {
                    out.add(pending.get(i).result(seen.peerPings.windows().get(i), seen.guestPings.windows().get(i)));
                }
                return out;
            });
            results.addAll(done);
            long offered = m.frontend().offeredBackendFeatures();
            long acked = m.frontend().ackedBackendFeatures();
            RunReport.Summary sum = RebootExperiment.summary(results, s.now(), failure);
            RunReport report = new RunReport(cfg.toMap(), new RunReport.BackendFeatures(
                    VhostUapi.backendFeatureNames(offered), VhostUapi.backendFeatureNames(acked)), results, sum)
                    .withVmStart(StartStory.of(cfg, m.frontend()).explain());
            Timeline timeline = on(s, () -> new Timeline(seen.replies.snapshot(), List.copyOf(seen.markers),
                    s.now() / 1e6));
            return new RebootExperiment.Outcome(report, timeline,
                    (offered & VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST)) != 0, m.frontend().persistAcked());
        }
    }

    /** A reboot's result before the peer's counts are final; {@code guestSeqSent} null: use the peer's window. */
    private record Pending(int index, boolean restored, Double downtimeMs, double freezeMs, FrontendCounters f,
            long pinned, long unpinned, long faults, boolean peerView, Long seqSent, String why) {
        RebootResult result(PingLog.Window peer, PingLog.Window own) {
            Long sent = peerView ? Long.valueOf(peer.sent) : seqSent;
            Long lost = peerView ? Long.valueOf(peer.lost()) : seqSent == null ? null : Math.max(0, seqSent - 1);
            return new RebootResult(index, restored, downtimeMs, freezeMs, sent, lost, own.sent, own.lost(), f.total(),
                    NicWindow.counts(f), pinned,
                    unpinned, faults, why);
        }
    }

    private Pending reboot(RealScheduler s, Machine m, ToyGuest guest, Seen seen, int index)
            throws InterruptedException {
        // Snapshots and the reboot request in one loop task: nothing runs in between.
        Object[] at = on(s, () -> {
            Object[] a = {seen.frozenNs, m.kernelCounters().get(KernelEvent.PAGES_PINNED),
                m.kernelCounters().get(KernelEvent.PAGES_UNPINNED), m.nic().dmaFaults(),
                m.kernelCounters().get(KernelEvent.COMPAT_RESET), m.frontend().counters().snapshot(), s.now()};
            seen.beginReboot(index, s.now());
            guest.reboot();
            return a;
        });
        boolean restored = waitFor(() -> seen.restoredAt >= 0, cfg.timeoutNs(), s, seen, "reboot " + index);
        return on(s, () -> {
            boolean back = seen.restoredAt >= 0; // it may have come back since the wait gave up
            long end = back ? seen.restoredAt : s.now();
            seen.endReboot(end);
            FrontendCounters f = m.frontend().counters().minus((FrontendCounters) at[5]);
            long pinned = m.kernelCounters().get(KernelEvent.PAGES_PINNED) - (long) at[1];
            long unpinned = m.kernelCounters().get(KernelEvent.PAGES_UNPINNED) - (long) at[2];
            long faults = m.nic().dmaFaults() - (long) at[3];
            boolean cleanMap = m.kernelCounters().get(KernelEvent.COMPAT_RESET) > (long) at[4];
            boolean downAtReset = seen.downAtReset();
            Double downtime = seen.downtimeMs();
            Long seqSent = null;
            if (back && !seen.peerView && seen.lastSeqBeforeReset >= 0) {
                seqSent = (seen.firstSeqAfterReset - seen.lastSeqBeforeReset) & 0xffffL;
            }
            String why = new RebootStory(cfg, m.frontend().persistAcked(), seen.resetAt >= 0, cleanMap, null,
                    seen.bootDoneInReboot, seen.driverOkInReboot, seen.probeFailureInReboot, f, pinned, faults, back,
                    downtime, downAtReset, index, guest.busyUntil() > end).explain();
            if (!back && !seen.peerView) {
                why += "; the guest answered no echo request after the reset, so the outside peer's pings in this"
                        + " window cannot be counted";
            }
            long frozen = Math.min(seen.frozenNs - (long) at[0], end - (long) at[6]);
            return new Pending(index, back, downtime, frozen / 1e6, f, pinned, unpinned,
                    faults, seen.peerView, seqSent, why);
        });
    }
}
