package org.toyvm.net.vhost;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.memory.AddressSpace;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.kernel.IoctlResult;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;

/**
 * The shadowed data virtqueues of one NIC in shadow-data mode ({@code v->shared->shadow_data}): one
 * {@link ShadowDataVq} per started data queue, the NIC's {@link IovaTree}, and the address space the
 * shadow rings go to. QEMU: net/vhost-vdpa.c {@code vhost_vdpa_net_data_start} (shadow_vqs_enabled
 * while a migration is set up or active) and hw/virtio/vhost-vdpa.c {@code vhost_vdpa_svqs_start} /
 * {@code vhost_vdpa_svqs_stop} (9.0 through master).
 * <pre>
 *  dataStart   [descAsid] per data vq VHOST_VDPA_GET_VRING_DESC_GROUP, SET_GROUP_ASID(group, 1)
 *              (Si-Wei Liu's series, patches 02-10: "vdpa: set descriptor group ASID for data vqs")
 *  startDevice per vq ShadowDataVq.start: SET_VRING_NUM (vhost_virtqueue_start: base, address, kick and
 *              call of a shadowed vq return early), then vhost_vdpa_svqs_start: the SVQ's setup, its rings mapped in the
 *              ring ASID (0, or 2 with the descriptor ASID) — one batch per device with
 *              {@link MigrationTechniques#batch}, one unbatched UPDATE each upstream
 *  stopDevice  vhost_vdpa_svqs_stop: each SVQ rewinds what is in flight and unmaps its rings (batched
 *              likewise); vhost_vdpa_get_vring_base then answers the guest's last avail index, no ioctl
 * </pre>
 */
final class DataShadows {
    private static final Logger LOG = LogManager.getLogger(DataShadows.class);
    private final VhostVdpaOps ops;
    private final VhostVdpaDevice dev;
    private final AddressSpace guestMemory;
    private final IovaTree tree;
    /** Every SVQ made so far (kept: its ring memory is reused at the next start), by queue index. */
    private final Map<Integer, ShadowDataVq> all = new TreeMap<>();
    /** The started ones. */
    private final Map<Integer, ShadowDataVq> svqs = new TreeMap<>();
    private IntConsumer guestNotifier = q -> { };

    DataShadows(VhostVdpaOps ops, AddressSpace guestMemory, IovaTree tree) {
        this.ops = ops;
        this.dev = ops.device();
        this.guestMemory = guestMemory;
        this.tree = tree;
    }

    IovaTree tree() {
        return tree;
    }

    /** The descriptor ASID is used: the technique is on and the kernel acked DESC_ASID. */
    boolean descAsidInUse() {
        return ops.techniques().descAsid() && ops.descAsidAcked();
    }

    /** Where the shadow rings are mapped: the descriptor group's ASID, else ASID 0 with everything. */
    int ringAsid() {
        return descAsidInUse() ? MigrationTechniques.DESC_ASID : 0;
    }

    /**
     * vhost_vdpa_net_data_start in shadow-data mode: with the descriptor ASID, each vq's descriptor group
     * to {@link MigrationTechniques#DESC_ASID} (one SET_GROUP_ASID per vq, as the series probes each vq).
     */
    void dataStart(List<QueueConfig> qs) {
        if (!descAsidInUse()) {
            return;
        }
        for (QueueConfig q : qs) {
            IoctlResult g = ops.traced("GET_VRING_DESC_GROUP", "vq " + q.index(), "vhost_vdpa_get_vring_desc_group",
                    dev.getVringDescGroup(q.index()));
            ops.check(g, "GET_VRING_DESC_GROUP " + q.index());
            int group = (int) g.value();
            ops.check(ops.traced("SET_GROUP_ASID", "group " + group + " asid " + MigrationTechniques.DESC_ASID,
                    "vhost_vdpa_set_address_space_id", dev.setGroupAsid(group, MigrationTechniques.DESC_ASID)),
                    "SET_GROUP_ASID");
        }
    }

    /**
     * vhost_virtqueue_start (SET_VRING_NUM) and vhost_vdpa_svqs_start for one device's data queues
     * ({@link ShadowDataVq#start}), the guest's acked {@code features} deciding its ring rules.
     */
    void startDevice(List<QueueConfig> qs, long features) {
        int asid = ringAsid();
        GuestIova translate = (gpa, len) -> ops.listener().iovaOf(gpa, len);
        boolean batch = ops.batchBegin(asid);
        try {
            for (QueueConfig q : qs) {
                ShadowDataVq svq = all.computeIfAbsent(q.index(), this::create);
                svq.start(q, q.base(), translate, asid, features, false);
                svqs.put(q.index(), svq);
            }
        } finally {
            ops.batchEnd(batch);
        }
    }

    private ShadowDataVq create(int q) {
        ShadowDataVq svq = new ShadowDataVq(ops, guestMemory, tree, q);
        svq.setGuestNotifier(i -> guestNotifier.accept(i));
        svq.setBrokenHandler(why -> LOG.warn("vhost-vdpa: shadowed vq {} broken: {}", q, why));
        return svq;
    }

    /** Where chains the SVQs return outside a device call are notified (QEMU's virtio_notify). */
    void setGuestNotifier(IntConsumer n) {
        guestNotifier = n == null ? q -> { } : n;
    }

    /** vhost_vdpa_svqs_stop for one device: each queue's guest last avail index, by queue index. */
    Map<Integer, Integer> stopDevice(List<QueueConfig> qs) {
        Map<Integer, Integer> bases = new LinkedHashMap<>();
        boolean batch = ops.batchBegin(ringAsid());
        try {
            for (QueueConfig q : qs) {
                ShadowDataVq svq = svqs.remove(q.index());
                int b = svq == null ? -1 : svq.stop();
                if (b >= 0) {
                    bases.put(q.index(), b);
                }
            }
        } finally {
            ops.batchEnd(batch);
        }
        return bases;
    }

    /**
     * The forced first kick of every started SVQ (vhost_svq_set_svq_kick_fd's event_notifier_set): its
     * handler runs from the main loop after vhost_net_start, when guest RAM is mapped and the queues
     * enabled, and forwards what the guest made available before the switch.
     */
    void kickPending() {
        for (ShadowDataVq svq : svqs.values()) {
            svq.guestKick();
        }
    }

    boolean shadows(int q) {
        return svqs.containsKey(q);
    }

    /** vhost_handle_guest_kick of a shadowed data queue; false when {@code q} is not shadowed. */
    boolean guestKick(int q) {
        ShadowDataVq svq = svqs.get(q);
        if (svq == null) {
            return false;
        }
        svq.guestKick();
        return true;
    }

    /** vhost_svq_flush after the device's call: whether the guest is to be notified. */
    boolean deviceCall(int q) {
        ShadowDataVq svq = svqs.get(q);
        return svq != null && svq.deviceCall();
    }
}
