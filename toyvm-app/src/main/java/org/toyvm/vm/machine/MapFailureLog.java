package org.toyvm.vm.machine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.addr.U64;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.units.Sizes;
import org.toyvm.net.vhost.IotlbTraceSink;
import org.toyvm.vdpa.kernel.IotlbFailure;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.kernel.WriteResult;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * The IOTLB UPDATEs of one vhost-vdpa device that failed, with the kernel's own reason, for the report:
 * a trace sink between the device's memory listener and the run's trace.
 *
 * <p>What each side sees, as the model follows it: the kernel's {@code vhost_vdpa_process_iotlb_update}
 * → {@code vhost_vdpa_pa_map} refuses an UPDATE whose {@code npages + mm->pinned_vm} exceeds
 * {@code rlimit(RLIMIT_MEMLOCK)} with -ENOMEM; {@code vhost_chr_write_iter} turns every handler error into
 * -EFAULT, so QEMU's write() fails with EFAULT; QEMU's {@code vhost_vdpa_dma_map} reports "failed to write,
 * fd=…, errno=14 (Bad address)" and answers -EIO; {@code vhost_vdpa_listener_region_add} reports "vhost
 * vdpa map fail!" and "vhost-vdpa: DMA mapping failed, unable to continue" — and returns: the section stays
 * unmapped for that device, the VM keeps running and DRIVER_OK goes ahead (QEMU 6.0 through 10.x). The
 * guest's interface on that device comes up with no way for the device to reach its buffers.
 */
public final class MapFailureLog implements IotlbTraceSink {
    /** One refused UPDATE; {@code pinnedPages} and {@code limitBytes} are the process's at the refusal. */
    public record Failure(long timeNs, long iova, long size, String errno, String innerErrno, IotlbFailure reason,
            String detail, long pinnedPages, long limitBytes) {
        /** "IOTLB UPDATE iova 0x0 size 0xc0000000: write() EFAULT (ENOMEM inside: RLIMIT_MEMLOCK 9G exhausted, ...)". */
        public String describe() {
            String inside = reason == IotlbFailure.MEMLOCK
                    ? String.format(Locale.ROOT, "%s inside vhost_vdpa_pa_map: RLIMIT_MEMLOCK %s exhausted, %.2f GiB (%d pages)"
                            + " already pinned by the process, this UPDATE needs %d more pages", innerErrno,
                            Sizes.format(limitBytes), (pinnedPages << Pages.SHIFT) / (double) (1L << 30), pinnedPages,
                            Pages.spanned(iova, size))
                    : innerErrno + " inside: " + reason + " (" + detail + ")";
            return String.format(Locale.ROOT, "IOTLB UPDATE iova %s size %s: write() %s (%s); QEMU: \"vhost vdpa map"
                    + " fail!\", the section stays unmapped", U64.hex(iova), U64.hex(size), errno, inside);
        }
    }

    private final VhostVdpaDevice dev;
    private final HostAddressSpace mm;
    private final IotlbTraceSink next;
    private final List<Failure> failures = new ArrayList<>();

    MapFailureLog(VhostVdpaDevice dev, HostAddressSpace mm, IotlbTraceSink next) {
        this.dev = dev;
        this.mm = mm;
        this.next = next;
    }

    @Override
    public void written(long timeNs, VhostMsgV2 msg, String result) {
        if (msg.iotlbType() == VhostUapi.VHOST_IOTLB_UPDATE && !"ok".equals(result)) {
            WriteResult r = dev.lastWrite();
            failures.add(new Failure(timeNs, msg.iova().value(), msg.size(), r.errno().symbol(),
                    r.innerErrno().symbol(), r.failure(), dev.lastDetail(), mm.pinnedPages(), mm.memlockLimitBytes()));
        }
        next.written(timeNs, msg, result);
    }

    /** Every refused UPDATE so far, oldest first. */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    public int count() {
        return failures.size();
    }
}
