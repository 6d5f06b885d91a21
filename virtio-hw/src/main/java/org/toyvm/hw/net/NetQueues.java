package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.Iterator;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.virtio.VirtioNet;

/**
 * The NIC's queue array and what selects a queue in it: {@link RxQueue}/{@link TxQueue} per queue pair
 * (rx 2k, tx 2k+1) and the {@link CtrlQueue} last (2N, virtio 1.x §5.1.2); which virtqueue group each
 * queue is in (data queues group 0, the control queue alone in group 1 so a VMM can shadow it in an
 * address space of its own) and which address space each group uses; and RX steering — the pair a
 * frame from the wire goes to. Indexes from the driver or the VMM are checked here before they select
 * anything: an index the device does not have selects nothing.
 */
final class NetQueues implements Iterable<NetQueue> {
    /** Group 0 holds the data queues, group 1 the control queue (so the control queue can be shadowed). */
    static final int DATA_GROUP = 0;
    static final int CTRL_GROUP = 1;
    static final int GROUPS = 2;
    /**
     * With {@link #enableDescGroup()}: the data queues' rings (descriptor table, driver and device areas)
     * in a group of their own, as mlx5_vdpa's MLX5_VDPA_DATAVQ_DESC_GROUP (6.7+); the control queue's
     * rings stay in its group (mlx5_vdpa_get_vq_desc_group answers MLX5_VDPA_CVQ_GROUP for it).
     */
    static final int DATA_DESC_GROUP = 2;

    private final NetQueue[] queues;
    private final RxQueue[] rx;
    private final int[] groupAsid = new int[DATA_DESC_GROUP + 1];
    private boolean descGroup;

    /** Builds N pairs and the control queue on {@code nic}'s DMA engine and scheduler. */
    NetQueues(VirtioNetNic nic, int pairs, ByteBufAllocator alloc, CtrlCommands commands) {
        queues = new NetQueue[VirtioNet.controlQueue(pairs) + 1];
        rx = new RxQueue[pairs];
        for (int k = 0; k < pairs; k++) {
            rx[k] = new RxQueue(nic, VirtioNet.rxQueue(k));
            queues[VirtioNet.rxQueue(k)] = rx[k];
            queues[VirtioNet.txQueue(k)] = new TxQueue(nic, VirtioNet.txQueue(k), alloc);
        }
        queues[ctrlIndex()] = new CtrlQueue(nic, ctrlIndex(), commands);
    }

    /** The number of virtqueues: 2N + 1. */
    int size() {
        return queues.length;
    }

    /** The control queue's index: 2N. */
    int ctrlIndex() {
        return queues.length - 1;
    }

    /** Queue {@code i}, or null for an index the device does not have. */
    NetQueue get(int i) {
        return i >= 0 && i < queues.length ? queues[i] : null;
    }

    /** VHOST_SET_VRING_NUM as the device takes it (an index the device does not have: nothing). */
    void setSize(int i, int num) {
        NetQueue q = get(i);
        if (q != null) {
            q.q.setSize(num);
        }
    }

    void setAddresses(int i, Iova desc, Iova avail, Iova used) {
        NetQueue q = get(i);
        if (q != null) {
            q.q.setAddresses(desc, avail, used);
        }
    }

    void setBase(int i, int base) {
        NetQueue q = get(i);
        if (q != null) {
            q.q.setBase(base);
        }
    }

    /** The queue's next available index (0 for an index the device does not have). */
    int base(int i) {
        NetQueue q = get(i);
        return q == null ? 0 : q.q.base();
    }

    /** Enables or disables queue {@code i}; an enable takes hold, and kicks the queue, {@code lagNanos} from now. */
    void setReady(int i, boolean ready, long lagNanos) {
        NetQueue q = get(i);
        if (q != null) {
            q.enable.cancel();
            q.q.setReady(ready);
            if (ready) {
                q.enable.runAfter(lagNanos, q::kick); // kicked when the enable reaches the device
            }
        }
    }

    boolean ready(int i) {
        NetQueue q = get(i);
        return q != null && q.q.ready();
    }

    /** The group of virtqueue {@code vq} (VHOST_VDPA_GET_VRING_GROUP). */
    int group(int vq) {
        return vq == ctrlIndex() ? CTRL_GROUP : DATA_GROUP;
    }

    /** The group of virtqueue {@code vq}'s rings (VHOST_VDPA_GET_VRING_DESC_GROUP): its own group unless enabled. */
    int descGroup(int vq) {
        return descGroup && vq != ctrlIndex() ? DATA_DESC_GROUP : group(vq);
    }

    /** The parent gives the data queues' rings a group of their own (see {@link #DATA_DESC_GROUP}). */
    void enableDescGroup() {
        descGroup = true;
    }

    /** The number of groups: 2, or 3 once the descriptor group is enabled. */
    int groups() {
        return descGroup ? DATA_DESC_GROUP + 1 : GROUPS;
    }

    /** VHOST_VDPA_SET_GROUP_ASID as the device takes it: a group it does not have is ignored. */
    void setGroupAsid(int group, int asid) {
        if (group >= 0 && group < groups()) {
            groupAsid[group] = asid;
        }
    }

    /** The address space queue {@code vq}'s buffers go through (its group's). */
    int asidOf(int vq) {
        return groupAsid[group(vq)];
    }

    /** The address space queue {@code vq}'s rings go through (its descriptor group's; its group's by default). */
    int ringAsidOf(int vq) {
        return groupAsid[descGroup(vq)];
    }

    /**
     * The RX queue of the pair a wire frame's flow hashes to among the pairs in use ({@link FlowHash};
     * 1 until VQ_PAIRS_SET, QEMU virtio_net_set_queue_pairs / mlx5_vdpa's RQT of curr pairs). The
     * pairs-in-use count is bounded by N by the ack rules; it is clamped again here, and the index
     * checked before it selects a queue.
     */
    RxQueue steer(ByteBuf frame, int pairsInUse) {
        int inUse = Math.min(Math.max(pairsInUse, 1), rx.length);
        int p = FlowHash.pairOf(frame, inUse);
        return rx[p >= 0 && p < rx.length ? p : 0];
    }

    /** A kick of queue {@code i} (an index the device does not have: nothing). */
    void kick(int i) {
        NetQueue q = get(i);
        if (q != null) {
            q.kick();
        }
    }

    /** The device started: every enabled queue is kicked, for what the driver made available meanwhile. */
    void kickReady() {
        for (NetQueue q : queues) {
            if (q.q.ready()) {
                q.kick();
            }
        }
    }

    /** DRIVER_OK: every queue takes what it needs; answers the first ready queue's layout problem, or null. */
    String start() {
        for (NetQueue q : queues) {
            q.start();
        }
        for (NetQueue q : queues) {
            String problem = q.q.ready() ? q.q.layoutProblem() : null;
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** Device reset (§2.4): every queue starts over at index 0, every group back in address space 0. */
    void reset() {
        for (NetQueue q : queues) {
            q.reset();
        }
        Arrays.fill(groupAsid, 0);
    }

    /** The device stopped (NEEDS_RESET): every queue gives back the buffers it holds. */
    void releaseBuffers() {
        for (NetQueue q : queues) {
            q.releaseBuffers();
        }
    }

    @Override
    public Iterator<NetQueue> iterator() {
        return Arrays.asList(queues).iterator();
    }
}
