package org.toyvm.vm.experiment;

import io.netty.buffer.PooledByteBufAllocator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.toyvm.core.time.RealScheduler;
import org.toyvm.core.units.Durations;
import org.toyvm.net.vhost.FrontendCounters;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.vdpa.kernel.KernelEvent;
import org.toyvm.vdpa.uapi.VhostUapi;
import org.toyvm.vdpa.wire.InProcessWire;
import org.toyvm.vdpa.wire.NetdevSpec;
import org.toyvm.vdpa.wire.UdpPort;
import org.toyvm.vdpa.wire.WirePort;
import org.toyvm.vm.guest.PeerHost;
import org.toyvm.vm.guest.ToyGuest;
import org.toyvm.vm.machine.Machine;
import org.toyvm.vm.machine.MachineConfig;
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
 * <p>Connectivity is seen from outside through what the guest receives and answers: the echo
 * requests' ICMP sequence numbers (so a real {@code ping} on the peer side agrees with the counts)
 * and the replies the guest sends. The calling thread only waits and prints progress; every
 * component runs on the event loop.
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

    /** Guest-side view of the peer's pings: requests by sequence number, replies the guest sent. */
    private static final class Seen extends GuestRecorder {
        final List<long[]> requests = new ArrayList<>(); // {seq, t}
        final List<Long> repliesSent = new ArrayList<>();
        volatile long lastReply = -1;

        @Override
        public void echoRequestAnswered(Packets.Echo request, long t) {
            requests.add(new long[] {request.seq(), t});
            repliesSent.add(t);
            lastReply = t;
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

    private boolean waitFor(BooleanSupplier done, long timeoutNs, RealScheduler s, Seen seen, String what) {
        long start = System.nanoTime();
        long lastPrint = start;
        while (!done.getAsBoolean()) {
            long now = System.nanoTime();
            if (now - start > timeoutNs) {
                return false;
            }
            if (now - lastPrint >= 1_000_000_000L) {
                lastPrint = now;
                progress.printf("toyvm: %s... t=%.1fs, replies sent by the guest: %d%n", what, s.now() / 1e9,
                        seen.repliesSent.size());
                progress.flush();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    public RebootExperiment.Outcome run() throws InterruptedException {
        NetdevSpec spec = NetdevSpec.parse(cfg.netdev());
        Seen seen = new Seen();
        List<RebootResult> results = new ArrayList<>();
        String failure = null;
        try (RealScheduler s = new RealScheduler()) {
            InProcessWire wire = spec.kind() == NetdevSpec.Kind.LOCAL ? new InProcessWire(s, cfg.costs().wireLatencyNs())
                    : null;
            WirePort port = wire != null ? wire.endA()
                    : spec.kind() == NetdevSpec.Kind.STREAM ? org.toyvm.vdpa.wire.StreamPort.open(spec, s.eventLoop())
                    : UdpPort.open(spec, s.eventLoop());
            progress.println("toyvm: live run on " + port.describe());
            Machine m = on(s, () -> new Machine(new MachineConfig(cfg.memoryBytes(), cfg.kernel(), cfg.parent(),
                    cfg.policy(), cfg.costs(), cfg.mac()), s, port, trace));
            ToyGuest guest = on(s, () -> new ToyGuest(m, cfg.mac(), cfg.ip(), cfg.peerIp(), cfg.pingIntervalNs(),
                    cfg.bootNs(), seen, PooledByteBufAllocator.DEFAULT));
            PeerHost peer = wire == null ? null : on(s, () -> new PeerHost(s, wire.endB(),
                    MacAddress.parse("52:54:00:00:00:01"), new Ipv4Cidr(cfg.peerIp(), cfg.ip().prefixLength()),
                    cfg.ip().address(), cfg.pingIntervalNs(), PooledByteBufAllocator.DEFAULT, new PeerHost.Events() {
                        @Override
                        public void requestSent(int seq, long t) {
                        }

                        @Override
                        public void replyReceived(int seq, long t) {
                        }
                    }));
            try {
                on(s, () -> {
                    guest.powerOn();
                    if (peer != null) {
                        peer.start();
                    }
                    return null;
                });
                if (!waitFor(() -> seen.firstUp >= 0 || seen.probeFailure != null, cfg.timeoutNs(), s, seen, "booting")
                        || seen.probeFailure != null) {
                    failure = seen.probeFailure != null ? "guest probe failed: " + seen.probeFailure
                            : "the guest did not come up within the timeout";
                } else if (cfg.reboots() == 0) {
                    waitFor(() -> false, cfg.durationNs(), s, seen, "running");
                } else {
                    Thread.sleep(cfg.warmupNs() / 1_000_000);
                    for (int i = 1; i <= cfg.reboots(); i++) {
                        RebootResult r = reboot(s, m, guest, seen, i);
                        results.add(r);
                        progress.println("toyvm: reboot " + i + ": " + (r.restored() ? "connectivity back after "
                                + r.downtimeMs() + " ms" : "connectivity NOT restored"));
                        if (!r.restored()) {
                            break;
                        }
                        Thread.sleep(cfg.settleNs() / 1_000_000);
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
            long offered = m.frontend().offeredBackendFeatures();
            long acked = m.frontend().ackedBackendFeatures();
            RunReport.Summary sum = RebootExperiment.summary(results, s.now(), failure);
            RunReport report = new RunReport(cfg.toMap(), new RunReport.BackendFeatures(
                    VhostUapi.backendFeatureNames(offered), VhostUapi.backendFeatureNames(acked)), results, sum);
            List<Double> replies = seen.repliesSent.stream().map(t -> t / 1e6).toList();
            return new RebootExperiment.Outcome(report, new Timeline(replies, seen.markers, s.now() / 1e6),
                    (offered & VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST)) != 0, m.frontend().persistAcked());
        }
    }

    private RebootResult reboot(RealScheduler s, Machine m, ToyGuest guest, Seen seen, int index) {
        long[] at = on(s, () -> new long[] {s.now(), seen.lastReply, seen.repliesSent.size(), seen.frozenNs,
            m.kernelCounters().get(KernelEvent.PAGES_PINNED), m.kernelCounters().get(KernelEvent.PAGES_UNPINNED),
            m.nic().dmaFaults()});
        FrontendCounters f0 = on(s, () -> m.frontend().counters().snapshot());
        seen.rebootIndex = index;
        on(s, () -> {
            guest.reboot();
            return null;
        });
        long tR = at[0];
        int repliesBefore = (int) at[2];
        boolean restored = waitFor(() -> seen.repliesSent.size() > repliesBefore && seen.lastReply > tR,
                cfg.timeoutNs(), s, seen, "reboot " + index);
        return on(s, () -> {
            long end = restored ? firstReplyAfter(seen, tR) : s.now();
            // Requests the guest saw: a gap in sequence numbers across the window is the loss.
            long lastSeqBefore = -1;
            long firstSeqAfter = -1;
            for (long[] r : seen.requests) {
                if (r[1] <= tR) {
                    lastSeqBefore = r[0];
                } else if (firstSeqAfter < 0) {
                    firstSeqAfter = r[0];
                }
            }
            long sent = 0;
            long lost = 0;
            if (restored && lastSeqBefore >= 0) {
                sent = ((firstSeqAfter - lastSeqBefore) & 0xffff);
                lost = Math.max(0, sent - 1);
            } else if (!restored) {
                sent = Math.max(0, (end - tR) / cfg.pingIntervalNs());
                lost = sent;
            }
            long[] own = seen.guestPings.sentAndLost(tR, end);
            FrontendCounters f = m.frontend().counters().minus(f0);
            Double downtime = restored ? (end - (at[1] >= 0 ? at[1] : tR)) / 1e6 : null;
            return new RebootResult(index, restored, downtime, (seen.frozenNs - at[3]) / 1e6, sent, lost, own[0],
                    own[1], f.total(), new RebootResult.IotlbCounts(f.update(), f.invalidate(), f.batchBegin(),
                            f.batchEnd()), m.kernelCounters().get(KernelEvent.PAGES_PINNED) - at[4],
                    m.kernelCounters().get(KernelEvent.PAGES_UNPINNED) - at[5], m.nic().dmaFaults() - at[6],
                    (restored ? "connectivity back" : "connectivity not restored within "
                            + Durations.format(cfg.timeoutNs())) + "; userspace (" + cfg.policy() + ") sent "
                            + f.total() + " IOTLB messages during the reboot");
        });
    }

    private static long firstReplyAfter(Seen seen, long tR) {
        for (long t : seen.repliesSent) {
            if (t > tR) {
                return t;
            }
        }
        return tR;
    }

}
