package org.toyvm.vdpa.kernel;

import static org.toyvm.vdpa.uapi.VhostUapi.F_IOTLB_ASID;
import static org.toyvm.vdpa.uapi.VhostUapi.MIN_MSG_WRITE;
import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_IOTLB_BATCH_BEGIN;
import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_IOTLB_BATCH_END;
import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_IOTLB_INVALIDATE;
import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_IOTLB_MSG;
import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_IOTLB_MSG_V2;
import static org.toyvm.vdpa.uapi.VhostUapi.VHOST_IOTLB_UPDATE;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;

/**
 * The write(2) side of {@code /dev/vhost-vdpa-N}: {@code vhost_chr_write_iter} reads a
 * {@code struct vhost_msg(_v2)}, and {@code vhost_vdpa_process_iotlb_msg} runs it against the
 * per-ASID tables vhost-vdpa keeps — UPDATE ({@code vhost_vdpa_process_iotlb_update}), INVALIDATE
 * ({@code vhost_vdpa_unmap} → {@code vhost_vdpa_iotlb_unmap}), BATCH_BEGIN / BATCH_END with the
 * batch state ({@code v->in_batch}, {@code v->batch_asid}). Mappings go to the parent through the
 * {@link ParentMapper}; the {@link UserMapping} turns an UPDATE into entries — PA mode pins whole
 * pages ({@code vhost_vdpa_pa_map}: the IOVA rounded down to its page, one entry per physically
 * contiguous run of the backing RAM block), VA mode maps exactly the range, per VMA, pinning
 * nothing ({@code vhost_vdpa_va_map}).
 *
 * <p>Every refusal of the handler reaches userspace as EFAULT; the {@link WriteResult} keeps the
 * inner errno and an {@link IotlbFailure}.
 */
final class IotlbMessageHandler {
    // The device's own log category, as before the split: log configuration keeps working.
    private static final Logger LOG = LogManager.getLogger(VhostVdpaDevice.class);
    private static final Logger TRACE = LogManager.getLogger("trace.vhost_vdpa_kernel");

    private final String name;
    private final DeviceGate gate;
    private final BackendFeatures backend;
    private final ParentMapper mapper;
    private final UserMapping mapping;
    private final CostMeter meter;
    private final KernelCounters counters;
    private final Supplier<AddrRange> iovaRange;
    private final VhostIotlb[] asTables;
    private boolean inBatch;
    private int batchAsid;

    IotlbMessageHandler(String name, int numAddressSpaces, DeviceGate gate, BackendFeatures backend,
            ParentMapper mapper, UserMapping mapping, CostMeter meter, KernelCounters counters,
            Supplier<AddrRange> iovaRange) {
        this.name = name;
        this.gate = gate;
        this.backend = backend;
        this.mapper = mapper;
        this.mapping = mapping;
        this.meter = meter;
        this.counters = counters;
        this.iovaRange = iovaRange;
        this.asTables = new VhostIotlb[numAddressSpaces];
    }

    /** vhost-vdpa's own table for {@code asid}, or null when that address space does not exist. */
    VhostIotlb table(int asid) {
        return Integer.compareUnsigned(asid, asTables.length) < 0 ? asTables[asid] : null;
    }

    int numAddressSpaces() {
        return asTables.length;
    }

    /** Leaves any batch without a set_map (open, release; a reset does not). */
    void dropBatch() {
        inBatch = false;
    }

    /** Release of one address space: every entry unmapped and unpinned, the table gone. */
    void release(int asid) {
        if (asTables[asid] != null) {
            unmapRange(asid, 0, U64.MAX);
            asTables[asid] = null;
        }
    }

    /**
     * write(2) of {@code count} bytes of {@code bytes}: 72 on success, also for a 40..71-byte write;
     * EINVAL for a closed fd, fewer than 40 bytes, an unknown envelope or an UPDATE of size 0; EFAULT
     * for no buffer and every error of the message handler (the inner reason is kept).
     */
    WriteResult write(byte[] bytes, int count) {
        meter.chargeUnits(CostKind.IOTLB_WRITE, 1);
        if (!gate.isOpen()) {
            return new WriteResult(-1, Errno.EINVAL, Errno.EINVAL, IotlbFailure.NONE);
        }
        if (bytes == null) { // write(2) from an unmapped buffer
            return refused(0, Errno.EFAULT, IotlbFailure.SHORT_WRITE, "write buffer is not readable");
        }
        // count is write(2)'s size_t: unsigned. Past the buffer nothing is readable, so the copy in
        // vhost_chr_write_iter stops at the buffer's end, as copy_from_iter stops at a fault.
        int len = (int) Math.min(Integer.toUnsignedLong(count), bytes.length);
        if (len < MIN_MSG_WRITE) {
            return refused(0, Errno.EINVAL, IotlbFailure.SHORT_WRITE,
                    "write of " + len + " bytes is shorter than a message");
        }
        VhostMsgV2 msg = VhostMsgV2.decode(bytes, Math.min(len, VhostMsgV2.SIZE));
        if (msg.type() != VHOST_IOTLB_MSG && msg.type() != VHOST_IOTLB_MSG_V2) {
            return refused(0, Errno.EINVAL, IotlbFailure.BAD_ENVELOPE, "unknown envelope type " + msg.type());
        }
        // The asid is read only for a v2 message with IOTLB_ASID acked; v1 has padding there.
        int asid = msg.type() == VHOST_IOTLB_MSG_V2 && backend.ackedBit(F_IOTLB_ASID) ? msg.asid() : 0;
        if (msg.iotlbType() == VHOST_IOTLB_UPDATE && msg.size() == 0) {
            return refused(msg.iotlbType(), Errno.EINVAL, IotlbFailure.ZERO_SIZE, "UPDATE of size 0");
        }
        WriteResult r = process(asid, msg);
        counters.message(msg.iotlbType(), r.errno());
        TRACE.trace("vhost_vdpa_iotlb_msg asid={} type={} iova={} size={} uaddr={} perm={} -> {} {}", asid,
                msg.typeName(), U64.hex(msg.iova().value()), U64.hex(msg.size()), U64.hex(msg.uaddr().value()),
                msg.perm(), r.errno().symbol(), r.failure());
        return r;
    }

    /** A refusal of vhost_chr_write_iter itself, before the message handler: the errno as is. */
    private WriteResult refused(int iotlbType, Errno e, IotlbFailure why, String detail) {
        gate.detail(detail);
        counters.message(iotlbType, e);
        return new WriteResult(-1, e, e, why);
    }

    private WriteResult handlerError(Errno inner, IotlbFailure why, String detail) {
        gate.detail(detail);
        LOG.debug("{}: IOTLB message refused: {} ({}, {})", name, detail, inner, why);
        return new WriteResult(-1, Errno.EFAULT, inner, why);
    }

    /** vhost_vdpa_process_iotlb_msg. */
    private WriteResult process(int asid, VhostMsgV2 msg) {
        if (!gate.isOwner()) { // vhost_dev_check_owner
            return handlerError(Errno.EPERM, IotlbFailure.NOT_OWNER, "caller is not the owner (no SET_OWNER)");
        }
        int type = msg.iotlbType();
        VhostIotlb table;
        if (type == VHOST_IOTLB_UPDATE || type == VHOST_IOTLB_BATCH_BEGIN) {
            // asid_to_iotlb, else vhost_vdpa_alloc_as
            if (Integer.compareUnsigned(asid, asTables.length) >= 0) {
                return handlerError(Errno.EINVAL, IotlbFailure.BAD_ASID,
                        "asid " + Integer.toUnsignedString(asid) + " >= " + asTables.length + " address spaces");
            }
            if (asTables[asid] == null) {
                asTables[asid] = new VhostIotlb();
            }
            table = asTables[asid];
        } else {
            table = table(asid);
            if (table == null) {
                return handlerError(Errno.EINVAL, IotlbFailure.BAD_ASID,
                        "address space " + Integer.toUnsignedString(asid) + " does not exist");
            }
        }
        if (inBatch && batchAsid != asid) {
            return handlerError(Errno.EINVAL, IotlbFailure.ASID_CHANGE_IN_BATCH,
                    "asid " + Integer.toUnsignedString(asid) + " inside a batch for asid " + batchAsid);
        }
        switch (type) {
            case VHOST_IOTLB_UPDATE:
                return update(asid, table, msg);
            case VHOST_IOTLB_INVALIDATE:
                // vhost_vdpa_unmap -> vhost_vdpa_iotlb_unmap(iova, iova + size - 1): the end wraps
                // modulo 2^64 and the interval tree answers the wrapped query as it stands (size 0 at
                // iova 0 is everything; see VhostIotlb#overlapping and docs/linux-vhost-vdpa.md §8).
                long iova = msg.iova().value();
                unmapRange(asid, iova, iova + msg.size() - 1);
                if (!inBatch) {
                    mapper.tableChanged(asid, table);
                }
                return WriteResult.OK;
            case VHOST_IOTLB_BATCH_BEGIN:
                batchAsid = asid;
                inBatch = true;
                return WriteResult.OK;
            case VHOST_IOTLB_BATCH_END:
                // The kernel never checks that IOTLB_BATCH was acked, nor that a batch was open.
                if (inBatch) {
                    mapper.tableChanged(batchAsid, asTables[batchAsid]);
                }
                inBatch = false;
                return WriteResult.OK;
            default:
                return handlerError(Errno.EINVAL, IotlbFailure.BAD_TYPE,
                        "inner type " + VhostMsgV2.class.getSimpleName() + " " + msg.typeName() + " not accepted");
        }
    }

    /** vhost_vdpa_process_iotlb_update, then vhost_vdpa_pa_map. */
    private WriteResult update(int asid, VhostIotlb table, VhostMsgV2 msg) {
        long iova = msg.iova().value();
        long size = msg.size();
        AddrRange range = iovaRange.get();
        if (U64.lt(iova, range.start())) {
            return handlerError(Errno.EINVAL, IotlbFailure.IOVA_RANGE, "iova " + U64.hex(iova) + " below " + range);
        }
        if (U64.addOverflows(iova, size - 1)) {
            return handlerError(Errno.EINVAL, IotlbFailure.OVERFLOW,
                    "iova " + U64.hex(iova) + " + size " + U64.hex(size) + " wraps past 2^64");
        }
        long last = iova + size - 1;
        if (U64.gt(last, range.last())) {
            return handlerError(Errno.EINVAL, IotlbFailure.IOVA_RANGE,
                    "[" + U64.hex(iova) + ", " + U64.hex(last) + "] outside " + range);
        }
        DmaEntry clash = table.firstOverlap(iova, last);
        if (clash != null) {
            return handlerError(Errno.EEXIST, IotlbFailure.OVERLAP, "[" + U64.hex(iova) + ", " + U64.hex(last)
                    + "] overlaps the mapping [" + U64.hex(clash.start()) + ", " + U64.hex(clash.last()) + "]");
        }
        // vhost_vdpa_pa_map or vhost_vdpa_va_map; each run is added and handed to the parent
        // (vhost_vdpa_map), and a parent failure undoes this message's entries (the error path's
        // vhost_vdpa_unmap of [iova, iova + size - 1]).
        List<DmaEntry> added = new ArrayList<>();
        Errno[] parentError = {Errno.OK};
        UserMapping.Refusal refused = mapping.map(iova, size, msg.uaddr().value(), (runIova, len, addr) -> {
            // add answers the new entry: looking it up with find() would force the lookup index to be
            // rebuilt after every insert, O(n^2) over a per-page (shmem) mapping.
            DmaEntry e = table.add(runIova, runIova + len - 1, addr, msg.perm());
            added.add(e);
            Errno pe = mapper.map(asid, table, e, inBatch);
            parentError[0] = pe;
            return pe;
        });
        if (parentError[0] != Errno.OK) {
            DmaEntry failed = added.get(added.size() - 1);
            for (DmaEntry undo : added) {
                table.remove(undo);
                mapping.unmapped(undo);
                if (undo != failed) { // the last never reached the parent
                    mapper.unmap(asid, undo);
                }
            }
            return handlerError(parentError[0], IotlbFailure.PARENT, "parent refused the mapping: " + parentError[0]);
        }
        if (refused != null) {
            for (DmaEntry undo : added) { // VA: the VMAs mapped before the one that was missing
                table.remove(undo);
                mapping.unmapped(undo);
                mapper.unmap(asid, undo);
            }
            return handlerError(refused.inner(), refused.why(), refused.detail());
        }
        return WriteResult.OK;
    }

    /**
     * vhost_vdpa_pa_unmap / vhost_vdpa_va_unmap: removes every entry the interval tree's query
     * {@code (start, last)} answers, whole (never split), unpinning in PA mode.
     */
    private void unmapRange(int asid, long start, long last) {
        VhostIotlb table = asTables[asid];
        for (DmaEntry e : table.overlapping(start, last)) {
            table.remove(e);
            mapping.unmapped(e);
            mapper.unmap(asid, e);
        }
    }
}
