package org.toyvm.vdpa.parent;

import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.Mlx5Options;
import org.toyvm.vdpa.iotlb.VhostIotlb;

/**
 * mlx5_vdpa's memory regions (drivers/vdpa/mlx5/core/mr.c): per address space the MR (direct MKEYs
 * plus one indirect MKEY) built from a whole vhost-vdpa table, the 1:1 DMA MR of address space 0, or
 * (before 6.7) the software control queue's table copy. {@link Mlx5Parent} decides when; this class
 * builds and destroys, and charges both at the generation's figures.
 *
 * <p>The model's MR is a copy of the table it was built from; a later build from the same table
 * replays the changes since instead of copying every entry again (modelled time is charged as a full
 * rebuild either way, as {@code mlx5_vdpa_create_mr} walks the whole table).
 */
final class Mlx5Mrs {
    private final Translation[] as;
    private final KernelVersion version;
    private final CostMeter meter;
    private final KernelCounters counters;
    private final Mlx5Options options;
    /** Per address space: the kernel table the current MR was built from, and its change number then. */
    private final VhostIotlb[] builtFrom;
    private final long[] builtAtSeq;
    /** Per address space: its translation is the software CVQ's copy (before 6.7), not an MR. */
    private final boolean[] cvqCopy;
    /** GiB of MRs handed to the GC workqueue, destroyed off every caller's path. */
    private double deferredGib;

    Mlx5Mrs(Translation[] as, KernelVersion version, CostMeter meter, KernelCounters counters, Mlx5Options options) {
        this.as = as;
        this.version = version;
        this.meter = meter;
        this.counters = counters;
        this.options = options;
        builtFrom = new VhostIotlb[as.length];
        builtAtSeq = new long[as.length];
        cvqCopy = new boolean[as.length];
    }

    Mlx5Options options() {
        return options;
    }

    double deferredGib() {
        return deferredGib;
    }

    /**
     * The MR of {@code asid} replaced by one built from {@code table} (none for an empty table:
     * "Empty iotlbs don't have an mr but will clear the previous mr", {@code set_map_data}).
     */
    void replace(int asid, VhostIotlb table) {
        destroy(asid);
        if (table.isEmpty()) {
            as[asid].setNone();
            return;
        }
        counters.inc(KernelEvent.MR_BUILD);
        meter.chargeUnits(options.parallelMkeys() ? CostKind.MR_BUILD : CostKind.MR_BUILD_SERIAL,
                AbstractParent.gib(table.totalBytes()));
        Translation t = as[asid];
        if (t.state() == Translation.State.TABLE && builtFrom[asid] == table
                && table.replayInto(t.table(), builtAtSeq[asid])) {
            t.changed();
        } else {
            t.setTable(table.copy());
        }
        builtFrom[asid] = table;
        builtAtSeq[asid] = table.changeSeq();
    }

    /**
     * Before 6.7 ({@code _mlx5_vdpa_create_mr} of 6.1–6.6): the control queue's address space, when it
     * is not the data virtqueues', gets its table copied ({@code dup_iotlb}) for the software control
     * queue ({@code mlx5_cvq_kick_handler} reads through it with vringh). No MKEY, nothing charged.
     */
    void copyCvqTable(int asid, VhostIotlb table) {
        if (table.isEmpty()) {
            as[asid].setNone();
        } else {
            as[asid].setTable(table.copy());
        }
        builtFrom[asid] = null;
        cvqCopy[asid] = true;
    }

    /** Back to the 1:1 DMA MR in ASID 0 ({@code mlx5_vdpa_reset_mr}); any other address space is left with no MR. */
    void dropToDmaMr(int asid) {
        destroy(asid);
        if (asid == 0) {
            as[asid].setIdentity();
        } else {
            as[asid].setNone();
        }
    }

    /**
     * The old MR of {@code asid} goes ({@code mlx5_vdpa_update_mr} → {@code _mlx5_vdpa_put_mr}). Inline
     * ({@code destroy_user_mr} on the caller's path) it is charged at the generation's figure. Deferred
     * (6.12, "vdpa/mlx5: Postpone MR deletion") it moves to {@code mr_gc_list_head} and the
     * {@code mlx5_vdpa_mr_gc} workqueue destroys it {@code MLX5_VDPA_MR_GC_TRIGGER_MS} (2 s) later on a
     * kernel thread: nothing is charged on the meter, whose every charge delays the caller's operation,
     * and the work is counted ({@link KernelEvent#MR_DESTROY_DEFERRED}, {@link #deferredGib()}). Not
     * modelled: the GC handler holds {@code mres->lock} while it destroys (it trylocks and re-queues
     * rather than wait), so a {@code set_map} landing in that window would wait for it. The pins are
     * vhost-vdpa's and do not depend on when the MR goes.
     */
    private void destroy(int asid) {
        if (cvqCopy[asid]) {
            cvqCopy[asid] = false; // a table copy, no MKEY to destroy
            return;
        }
        if (as[asid].state() != Translation.State.TABLE) {
            return; // no user MR (the DMA MR's MKEY is not charged)
        }
        counters.inc(KernelEvent.MR_DESTROY);
        double size = AbstractParent.gib(as[asid].table().totalBytes());
        if (options.deferMrDeletion()) {
            counters.inc(KernelEvent.MR_DESTROY_DEFERRED);
            deferredGib += size;
        } else {
            meter.chargeUnits(options.parallelMkeys() ? CostKind.MR_DESTROY : CostKind.MR_DESTROY_SERIAL, size);
        }
    }
}
