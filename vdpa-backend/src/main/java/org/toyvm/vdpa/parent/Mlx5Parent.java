package org.toyvm.vdpa.parent;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.Mlx5Options;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.iotlb.VhostIotlb;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * An on-chip IOMMU parent in the style of mlx5_vdpa: {@code set_map} hands over the whole table and
 * the device builds a memory region (MR, an mkey) from it.
 *
 * <ul>
 * <li>The MR is built when set_map runs (at BATCH_END), not at DRIVER_OK; an empty table destroys it.
 * <li>Changing the map while DRIVER_OK suspends the queues, destroys and rebuilds the MR, resumes.
 * <li>At creation, after {@code reset_map}, and after a reset that cleans the map, the device has a
 *     1:1 DMA MR (an identity translation: useless for a guest, a DMA through it faults).
 * <li>6.6: every {@code .reset} drops the MR. 6.7: {@code .reset} keeps it and
 *     {@code .compat_reset(CLEAN_MAP)} drops it; {@code reset_map} exists.
 * <li>The 1:1 DMA MR exists only in address space 0: {@code mlx5_vdpa_create_dma_mr} installs it with
 *     {@code mlx5_vdpa_update_mr(mvdev, mr, 0)}, and {@code mlx5_vdpa_reset_mr(asid)} re-creates it only
 *     for {@code asid == 0} (drivers/vdpa/mlx5/core/mr.c, 6.7+; the reset path of 6.1/6.6 likewise
 *     creates it for ASID 0). Every other address space starts with no translation.
 * </ul>
 *
 * <p>The costs follow the generation (see {@link org.toyvm.core.cost.CostProfile}):
 * <ul>
 * <li>before 6.8 a {@code set_map} while running ({@code mlx5_vdpa_change_map}) suspends the VQs, tears
 *     the driver down and re-creates every virtqueue ({@code setup_driver}); from 6.8 ("vdpa/mlx5: Add
 *     support for resumable vqs", D. Tatulea) it suspends, swaps the MR and resumes them;
 * <li>before 6.11 the hardware virtqueues are created at DRIVER_OK; from 6.11 ("vdpa/mlx5: Pre-create
 *     hardware VQs at vdpa .dev_add time") they exist from device add and DRIVER_OK only resumes them;
 * <li>suspend and resume are charged per virtqueue they walk ({@link #walkedVirtqueues}): before 6.12
 *     MKEYs are created and destroyed one after another and suspend/resume go virtqueue by virtqueue
 *     ({@code suspend_vq_serial}, {@code resume_vq_serial} each); 6.12 parallelizes both (one batch:
 *     {@code suspend_batch} + {@code suspend_vq} per further virtqueue, likewise resume) ("vdpa/mlx5: Create direct MKEYs
 *     in parallel", 0071b138d44a; "vdpa/mlx5: Parallelize device suspend/resume");
 * <li>6.12 also defers the destruction of a replaced MR to a workqueue ("vdpa/mlx5: Postpone MR
 *     deletion"): not charged to the caller ({@link Mlx5Mrs}); {@link Mlx5Options} builds a 6.12
 *     parent without it.
 * </ul>
 */
public final class Mlx5Parent extends AbstractParent {
    /**
     * MLX5_VDPA_DATAVQ_GROUP, MLX5_VDPA_CVQ_GROUP and (6.7+) MLX5_VDPA_DATAVQ_DESC_GROUP
     * (drivers/vdpa/mlx5/core/mlx5_vdpa.h): 2 groups before 6.7, MLX5_VDPA_NUMVQ_GROUPS = 3 from 6.7
     * ("vdpa/mlx5: Introduce mr for vq descriptor"). MLX5_VDPA_NUM_AS stays 2 on every modelled kernel
     * (it was MLX5_VDPA_NUMVQ_GROUPS, fixed to 2 when the third group came; still 2 in 6.12's
     * {@code mlx5_vdpa_mr_resources}), the NIC's two address spaces: the descriptor group can share
     * address space 1 with the control queue, or stay in 0, but there is no address space 2.
     */
    static final int DATAVQ_GROUP = 0;
    static final int CVQ_GROUP = 1;
    static final int DATAVQ_DESC_GROUP = 2;
    /** {@code ndev->cur_num_vqs} after {@code mlx5_vdpa_set_driver_features}: one pair until VQ_PAIRS_SET. */
    static final int DEFAULT_CUR_NUM_VQS = 2;
    private final Mlx5Mrs mrs;
    private final MappingStyle style;
    private final DriverOkHook hooked;
    /**
     * Before 6.11: the data virtqueues a shrinking VQ_PAIRS_SET tore down ({@code teardown_vq} clears
     * {@code mvq->initialized}); a later grow creates them again. Cleared when {@code setup_driver}
     * creates every sized queue.
     */
    private final boolean[] tornDown;
    /**
     * {@code cur_num_vqs} as the last VQ_PAIRS_SET left it, bounding what a suspend walks (6.11/6.12
     * walk {@code [0, cur_num_vqs)}; VQs a shrink suspended or tore down are not RDY); unbounded until
     * one, and again from each DRIVER_OK and reset.
     */
    private int curNumVqs = Integer.MAX_VALUE;
    /**
     * {@code get_vq_desc_group} is in the ops (6.7+): mlx5v_probe clears it unless the firmware has
     * {@code desc_group_mkey_supported} ("Op disabled if not supported"), the model's
     * {@link VirtioNetHardware#enableDescGroup()}.
     */
    private final boolean descGroup;

    Mlx5Parent(VirtioNetHardware hw, KernelVersion version, CostMeter meter, KernelCounters counters,
            Mlx5Options options) {
        super(hw, version, meter, counters, Math.max(1, hw.numAddressSpaces()), Translation.State.IDENTITY);
        for (int asid = 1; asid < as.length; asid++) {
            as[asid].setNone(); // the DMA MR is ASID 0's only
        }
        // Before the hook is built: it sizes mlx5's group2asid by the number of groups.
        descGroup = version.hasDescAsid() && hw.enableDescGroup();
        mrs = new Mlx5Mrs(as, version, meter, counters, options);
        style = new MappingStyle.SetMap(this::setMap);
        hooked = new DriverOkHook(hw, this::startVirtqueues);
        tornDown = new boolean[Math.max(0, hw.numQueues())];
        hw.setQueuePairsListener(this::changeNumQps);
    }

    /** The device as vhost-vdpa drives it: DRIVER_OK runs {@link #startVirtqueues} first. */
    @Override
    public VirtioNetHardware hardware() {
        return hooked;
    }

    /**
     * {@code mlx5_vdpa_set_status} with DRIVER_OK: before 6.11 {@code setup_driver} creates each
     * hardware virtqueue now (charged {@code vq_create} per data queue with a size); from 6.11 they were
     * created blank at device add and are only modified and resumed: {@code resume_vqs} over
     * {@code cur_num_vqs}, which {@code mlx5_vdpa_set_driver_features} has just set to 2 ("Device must
     * start with 1 queue pair", "vdpa/mlx5: Correct default number of queues when MQ is on", 6.5, in
     * 6.1.y stable); the other pairs are resumed later by the control queue's VQ_PAIRS_SET
     * ({@code change_num_qps}, {@link #changeNumQps}).
     */
    private void startVirtqueues() {
        curNumVqs = Integer.MAX_VALUE;
        if (version.mlx5PrecreatedVqs()) {
            chargeResumeOf(Math.min(DEFAULT_CUR_NUM_VQS, hooked.queuesOf(DATAVQ_GROUP)));
        } else {
            createVirtqueues();
        }
    }

    /**
     * Creates the hardware object of every data virtqueue with a size (setup_driver → setup_virtqueues
     * over the data queues → setup_vq, which returns early for {@code !mvq->num_ent}, → create_virtqueue),
     * ready or not. The control queue is the driver's software one ({@code mlx5_vdpa_set_vq_num} returns
     * for {@code is_ctrl_vq_idx}): no hardware object.
     */
    private void createVirtqueues() {
        java.util.Arrays.fill(tornDown, false);
        int n = hooked.sizedQueues(DATAVQ_GROUP);
        counters.add(KernelEvent.VQ_CREATE, n);
        meter.chargeUnits(CostKind.VQ_CREATE, n);
    }

    /**
     * The virtqueues {@code suspend_vqs} / {@code resume_vqs} act on: the first {@code cur_num_vqs} data
     * queues that are created ({@code mvq->initialized}) and, for a suspend, in the RDY firmware state
     * (6.1–6.12: {@code mlx5_vdpa_suspend}, {@code mlx5_vdpa_change_map}). {@code cur_num_vqs} is 2 × the
     * pairs of the last VQ_PAIRS_SET; the model counts the sized, ready data queues instead — the same
     * number while every enabled pair is the guest's (the toy guest enables all it sets up and sets
     * them all with VQ_PAIRS_SET, which {@link #changeNumQps} charges). The software CVQ is not walked
     * ({@code mlx5_vdpa_cvq_suspend} only marks it).
     */
    private int walkedVirtqueues() {
        return hooked.runningQueues(DATAVQ_GROUP, 0, curNumVqs);
    }

    @Override
    protected void chargeSuspend() {
        int n = walkedVirtqueues();
        if (version.mlx5ParallelMkeys()) {
            // 6.12 suspend_vqs(ndev, 0, n): modify_virtqueues + query_virtqueues, n commands in flight each.
            chargeBatch(CostKind.SUSPEND_BATCH, CostKind.SUSPEND_VQ, n);
        } else {
            // Before 6.12: for each of cur_num_vqs, suspend_vq (modify to SUSPEND, then query), one by one.
            meter.chargeUnits(CostKind.SUSPEND_VQ_SERIAL, n);
        }
    }

    @Override
    protected void chargeResume() {
        chargeResumeOf(walkedVirtqueues());
    }

    private void chargeResumeOf(int n) {
        if (version.mlx5ParallelMkeys()) {
            chargeBatch(CostKind.RESUME_BATCH, CostKind.RESUME_VQ, n); // 6.12 resume_vqs(ndev, 0, n)
        } else {
            meter.chargeUnits(CostKind.RESUME_VQ_SERIAL, n); // resume_vq per virtqueue (6.8 resumable VQs on)
        }
    }

    /**
     * mlx5_vnet.c {@code handle_ctrl_mq} → {@code change_num_qps}: the NIC applied VQ_PAIRS_SET
     * {@code to} with {@code from} pairs in use. Charged on the VMM's meter: for a shadowed control
     * queue the command runs inside QEMU's {@code vhost_svq_poll} (a vCPU exit), so the cost lands in
     * that exit; for a passthrough one it is charged outside any operation and delays nothing (the
     * device-side delay is not modelled). {@code modify_rqt} (one MODIFY_RQT firmware command, both
     * directions) has no published figure and is not charged; nor is {@code destroy_virtqueue}.
     * <ul>
     * <li>equal counts: {@code handle_ctrl_mq} answers OK without calling {@code change_num_qps}
     *     ({@code ndev->cur_num_vqs == 2 * newqps}), 6.1–6.12;
     * <li>6.1–6.10 grow: {@code setup_vq} per added VQ, which returns early for {@code mvq->initialized}:
     *     {@code setup_driver} already created every sized data VQ at DRIVER_OK, so only VQs an earlier
     *     shrink tore down are created again ({@code vq_create} each); shrink: {@code teardown_vq} per
     *     removed VQ ({@code suspend_vq} of a RDY one, {@code suspend_vq_serial}, then destroy);
     * <li>6.11 ("vdpa/mlx5: Use suspend/resume during VQP change", of the VQ pre-creation series): grow:
     *     {@code mvq->initialized ? resume_vq : setup_vq}, the VQs are pre-created, so
     *     {@code resume_vq} per added VQ ({@code resume_vq_serial}; from INIT it is two MODIFYs, fields
     *     then state, charged as the one published per-VQ resume); shrink: {@code is_resumable ?
     *     suspend_vq : teardown_vq} per removed VQ ({@code suspend_vq_serial});
     * <li>6.12 ("vdpa/mlx5: Parallelize VQ suspend/resume for CVQ MQ command"): grow:
     *     {@code resume_vqs(ndev, cur_vqs, new_vqs - cur_vqs)}, shrink: {@code suspend_vqs(ndev,
     *     new_vqs, cur_vqs - new_vqs)}, one parallel batch each.
     * </ul>
     */
    void changeNumQps(int from, int to) {
        int cur = 2 * from;
        int next = 2 * to;
        if (cur == next) {
            return;
        }
        curNumVqs = next;
        if (next < cur) {
            int n = hooked.runningQueues(DATAVQ_GROUP, next, cur);
            if (version.mlx5ParallelMkeys()) {
                chargeBatch(CostKind.SUSPEND_BATCH, CostKind.SUSPEND_VQ, n);
            } else {
                meter.chargeUnits(CostKind.SUSPEND_VQ_SERIAL, n);
            }
            if (!version.mlx5PrecreatedVqs()) {
                for (int vq = next; vq < Math.min(cur, tornDown.length); vq++) {
                    tornDown[vq] |= hooked.isSized(vq) && hw.vqGroup(vq) == DATAVQ_GROUP;
                }
            }
        } else if (version.mlx5PrecreatedVqs()) {
            chargeResumeOf(hooked.queuesOf(DATAVQ_GROUP, cur, next));
        } else {
            int n = 0;
            for (int vq = cur; vq < Math.min(next, tornDown.length); vq++) {
                if (tornDown[vq] && hooked.isSized(vq)) {
                    tornDown[vq] = false;
                    n++;
                }
            }
            counters.add(KernelEvent.VQ_CREATE, n);
            meter.chargeUnits(CostKind.VQ_CREATE, n);
        }
    }

    /** One parallel batch: its first virtqueue at the batch figure, each further one at the per-VQ figure. */
    private void chargeBatch(CostKind batch, CostKind each, int n) {
        if (n > 0) {
            meter.chargeUnits(batch, 1);
            meter.chargeUnits(each, n - 1);
        }
    }

    @Override
    public ParentKind kind() {
        return ParentKind.MLX5;
    }

    @Override
    public MappingStyle mappingStyle() {
        return style;
    }

    /**
     * {@code mlx5_vdpa_set_map}: destroy the MR and build one from the whole table. A live device is
     * suspended first; from 6.8 its VQs are then resumed, before 6.8 they are torn down and created
     * again ({@code mlx5_vdpa_change_map}: {@code teardown_driver}, {@code setup_driver}). From 6.7
     * ({@code set_map_data}: {@code if (!mvdev->mr[asid]) mlx5_vdpa_update_mr(...) else
     * mlx5_vdpa_change_map(...)}, the same through 6.12) only an address space that already has an MR
     * — a user MR, or address space 0's DMA MR — goes through {@code change_map}: the first map of an
     * address space without one (address space 1 for the shadow CVQ or the descriptor group) neither
     * suspends nor resumes the virtqueues.
     */
    private Errno setMap(int asid, VhostIotlb table) {
        if (asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.SET_MAP);
        if (!version.mlx5MrPerAddressSpace() && hooked.asidOfGroup(DATAVQ_GROUP) != asid) {
            // 6.1–6.6: no MR outside the data virtqueues' address space; the CVQ's gets a table copy.
            if (hooked.asidOfGroup(CVQ_GROUP) == asid) {
                mrs.copyCvqTable(asid, table);
            }
            return Errno.OK;
        }
        boolean changeMap = !version.mlx5MrPerAddressSpace() || as[asid].state() != Translation.State.NONE;
        boolean live = changeMap && (hw.status() & VirtioStatus.DRIVER_OK) != 0 && !hw.suspended();
        if (live) {
            suspend();
        }
        boolean recreate = live && !version.mlx5ResumableVqs();
        mrs.replace(asid, table);
        if (recreate) {
            createVirtqueues(); // the re-created queues start running: no separate resume
            hw.resume();
        } else if (live) {
            resume();
        }
        return Errno.OK;
    }

    /** GiB of MRs destroyed off the caller's path by the deferred-deletion workqueue so far (0 without it). */
    public double deferredMrDestroyGib() {
        return mrs.deferredGib();
    }

    /** What this parent was built with beyond its kernel version. */
    public Mlx5Options options() {
        return mrs.options();
    }

    @Override
    public Errno resetMap(int asid) {
        if (!hasResetMap() || asid < 0 || asid >= as.length) {
            return Errno.EINVAL;
        }
        counters.inc(KernelEvent.RESET_MAP);
        mrs.dropToDmaMr(asid);
        return Errno.OK;
    }

    @Override
    public void reset() {
        counters.inc(KernelEvent.RESET);
        curNumVqs = Integer.MAX_VALUE;
        resetHardware();
        if (!version.hasIotlbPersist()) { // before 6.7 every reset cleans the map
            for (int i = 0; i < as.length; i++) {
                mrs.dropToDmaMr(i);
            }
        }
    }

    @Override
    public void compatReset(int flags) {
        counters.inc(KernelEvent.COMPAT_RESET);
        curNumVqs = Integer.MAX_VALUE;
        resetHardware();
        if ((flags & VhostUapi.VDPA_RESET_F_CLEAN_MAP) != 0) {
            for (int i = 0; i < as.length; i++) {
                mrs.dropToDmaMr(i);
            }
        }
    }

    /** {@code mlx5_vdpa_get_vq_desc_group} (6.7+): the control queue's own group, every data queue's desc group. */
    @Override
    public boolean hasDescGroup() {
        return descGroup;
    }

    @Override
    public AddrRange iovaRange() {
        return null;
    }
}
