package org.toyvm.vm.experiment;

import java.util.List;
import org.toyvm.net.vhost.FrontendCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vm.machine.MapFailureLog;
import org.toyvm.vm.machine.NetSlot;
import org.toyvm.vm.report.NicResult;
import org.toyvm.vm.report.RebootResult;

/**
 * One NIC's part of one reboot's window: its device's counters at the reboot request, and at its end
 * (this NIC's return, or the timeout) the differences — the frontend's IOTLB messages, the pages this
 * device pinned and unpinned, its NIC's DMA faults, whether its kernel reset cleaned the map, and the
 * UPDATEs of it the kernel refused.
 */
final class NicWindow {
    final NicLink link;
    private final FrontendCounters f0;
    private final long pinned0;
    private final long unpinned0;
    private final long compat0;
    private final long faults0;
    private final int mapFailures0;
    FrontendCounters iotlb;
    long pinned;
    long unpinned;
    long faults;
    boolean cleanMap;
    boolean restored;
    long restoredAt = -1;
    Double downtimeMs;
    boolean downAtReset;
    List<MapFailureLog.Failure> mapFailures = List.of();
    /** With several queue pairs, each pair's return in ms after this device's reset (null: one pair). */
    List<Double> pairsBackMs;
    /** The same in ms after the reboot request: the origin of this NIC's {@link NicResult} times. */
    List<Double> pairsBackFromRequestMs;
    /** From the reboot request to this device's reset, in ms; null when the reset did not reach it. */
    Double resetAfterMs;
    String story;

    NicWindow(NicLink link) {
        this.link = link;
        NetSlot s = link.slot;
        this.f0 = s.frontend().counters().snapshot();
        this.pinned0 = s.kernelCounters().get(KernelEvent.PAGES_PINNED);
        this.unpinned0 = s.kernelCounters().get(KernelEvent.PAGES_UNPINNED);
        this.compat0 = s.kernelCounters().get(KernelEvent.COMPAT_RESET);
        this.faults0 = s.nic().dmaFaults();
        this.mapFailures0 = s.mapFailures().count();
    }

    /** The window of this NIC, opened by the reboot request at {@code requestedAt}, ends at {@code now}. */
    void close(long now, long requestedAt) {
        NetSlot s = link.slot;
        restored = link.rec.restoredAt >= 0;
        restoredAt = link.rec.restoredAt;
        link.rec.endReboot(restored ? restoredAt : now);
        iotlb = s.frontend().counters().minus(f0);
        pinned = s.kernelCounters().get(KernelEvent.PAGES_PINNED) - pinned0;
        unpinned = s.kernelCounters().get(KernelEvent.PAGES_UNPINNED) - unpinned0;
        faults = s.nic().dmaFaults() - faults0;
        cleanMap = s.kernelCounters().get(KernelEvent.COMPAT_RESET) > compat0;
        downAtReset = link.rec.downAtReset();
        downtimeMs = link.rec.downtimeMs();
        pairsBackMs = link.rec.pairsBackMs();
        pairsBackFromRequestMs = link.rec.pairsBackMs(requestedAt);
        resetAfterMs = link.rec.resetAt < 0 ? null : GuestRecorder.ms(link.rec.resetAt - requestedAt);
        List<MapFailureLog.Failure> all = s.mapFailures().failures();
        mapFailures = all.subList(mapFailures0, all.size());
    }

    /** This NIC's result, once the run is over (replies in flight at a window's end count as received). */
    NicResult result(int reboot, long requestedAt) {
        PingLog.Window peer = link.rec.peerPings.windows().get(reboot - 1);
        PingLog.Window own = link.rec.guestPings.windows().get(reboot - 1);
        String why = story;
        if (!mapFailures.isEmpty()) {
            why += "; " + link.device() + " could not map guest memory: " + mapFailures.get(0).describe();
        }
        return new NicResult(link.index, link.device(), restored, resetAfterMs, restored ? GuestRecorder.ms(restoredAt
                - requestedAt) : null, downtimeMs, peer.sent, peer.lost(), own.sent, own.lost(), iotlb.total(),
                counts(iotlb), pinned, unpinned, faults, mapFailures.stream().map(MapFailureLog.Failure::describe)
                .toList(), why, pairsBackFromRequestMs);
    }

    static RebootResult.IotlbCounts counts(FrontendCounters f) {
        return new RebootResult.IotlbCounts(f.update(), f.invalidate(), f.batchBegin(), f.batchEnd(),
                f.cvqUpdate() + f.cvqInvalidate() == 0 ? null
                : new RebootResult.AsidCounts(f.cvqUpdate(), f.cvqInvalidate()));
    }
}
