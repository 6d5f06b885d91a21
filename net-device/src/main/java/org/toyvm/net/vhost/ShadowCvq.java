package org.toyvm.net.vhost;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.Pages;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.memory.AddressSpace;
import org.toyvm.net.device.VirtioNetBackend.QueueConfig;
import org.toyvm.vdpa.kernel.IoctlResult;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;

/**
 * QEMU's control-queue client of a vhost-vdpa NIC when the control queue is shadowed in its own
 * address space (net/vhost-vdpa.c, the same in 9.0, 9.2, 10.1 and master): its two page-sized bounce
 * buffers (commands out, acks in), the shadow vring ({@link ShadowVring}), their IOVAs from the NIC's
 * {@link IovaTree}, and the device model ({@link NetCtrlModel}) the commands update.
 * <pre>
 *  start   vhost_vdpa_net_cvq_start: GET_VRING_GROUP(cvq), SET_GROUP_ASID(group, 1); map the out buffer
 *          (read-only) and the status buffer (read-write) in ASID 1, one UPDATE each
 *  rings   vhost_vdpa_svqs_start (in vhost_vdpa_dev_start): SET_VRING_BASE 0, SET_VRING_KICK, SET_VRING_CALL
 *          (vhost_vdpa_svq_setup), map the driver area (RO) and device area (RW), SET_VRING_ADDR at their IOVAs
 *  load    vhost_vdpa_net_cvq_load after DRIVER_OK: enable the CVQ, send what the model holds that differs
 *          from a reset device (vhost_vdpa_net_load_mac / _mq / _offloads / _rx / _vlan), packed in the
 *          buffers, polled together (vhost_vdpa_net_svq_flush); every ack must be VIRTIO_NET_OK
 *  guest   vhost_vdpa_net_handle_ctrl_avail per guest chain: copy out, forward, poll, update the model on
 *          VIRTIO_NET_OK only, write the ack, push the guest's used entry
 *  stop    vhost_vdpa_svqs_stop (after the first device's SUSPEND) unmaps the rings; vhost_vdpa_net_cvq_stop
 *          (after the reset) unmaps the buffers: one INVALIDATE each, in ASID 1
 * </pre>
 */
final class ShadowCvq {
    private static final Logger LOG = LogManager.getLogger(ShadowCvq.class);
    /** VHOST_VDPA_NET_CVQ_ASID. */
    static final int CVQ_ASID = 1;
    /** vhost_vdpa_net_cvq_cmd_page_len: each bounce buffer is one host page. */
    static final int PAGE_LEN = (int) Pages.SIZE;

    private final VhostVdpaOps ops;
    private final VhostVdpaDevice dev;
    private final HostAddressSpace mm;
    private final AddressSpace guestMemory;
    private final IovaTree tree;
    private final NetCtrlModel model;
    private final FrontendCounters counters;
    private final int index;
    private RamBlock outBuf;
    private RamBlock statusBuf;
    private Iova outIova;
    private Iova statusIova;
    private ShadowVring vring;
    private Iova driverIova;
    private Iova deviceIova;
    private GuestCtrlRing guest;
    private boolean shadowed;
    /** The address space its buffers and rings are mapped in: 1 when isolated, 0 with shadow_data. */
    private int asid = CVQ_ASID;
    private IntConsumer guestNotifier = q -> { };

    ShadowCvq(VhostVdpaOps ops, AddressSpace guestMemory, IovaTree tree, NetCtrlModel model, FrontendCounters counters,
            int index) {
        this.ops = ops;
        this.dev = ops.device();
        this.mm = dev.processMemory();
        this.guestMemory = guestMemory;
        this.tree = tree;
        this.model = model;
        this.counters = counters;
        this.index = index;
    }

    boolean shadowed() {
        return shadowed;
    }

    void setGuestNotifier(IntConsumer n) {
        guestNotifier = n == null ? q -> { } : n;
    }

    /** vhost_vdpa_net_cvq_start: with an isolated CVQ, move its group to ASID 1 and map the buffers. */
    void start(boolean isolated) {
        start(isolated, false);
    }

    /**
     * vhost_vdpa_net_cvq_start. {@code inGuestAsid}: {@code v->shared->shadow_data} — every data queue is
     * shadowed, so "SVQ is already configured for all virtqueues": the CVQ is shadowed in ASID 0 with
     * everything else, isolated or not, no SET_GROUP_ASID (the reset put every group back in ASID 0).
     * Else, isolated: its group to ASID 1; not isolated: passthrough. The buffers' maps go in one
     * batch with {@link MigrationTechniques#batch}.
     */
    void start(boolean isolated, boolean inGuestAsid) {
        shadowed = false;
        asid = inGuestAsid ? 0 : CVQ_ASID;
        if (inGuestAsid) {
            mapBuffers();
            return;
        }
        if (!isolated) {
            return; // "if (!s->cvq_isolated) return 0": the CVQ stays in ASID 0, passthrough
        }
        IoctlResult g = ops.traced("GET_VRING_GROUP", "vq " + index, "vhost_vdpa_net_cvq_start",
                dev.getVringGroup(index));
        ops.check(g, "GET_VRING_GROUP");
        int group = (int) g.value();
        ops.check(ops.traced("SET_GROUP_ASID", "group " + group + " asid " + CVQ_ASID, "vhost_vdpa_set_address_space_id",
                dev.setGroupAsid(group, CVQ_ASID)), "SET_GROUP_ASID");
        mapBuffers();
    }

    /** The tail of vhost_vdpa_net_cvq_start: vhost_vdpa_cvq_map_buf of the out and the status buffer. */
    private void mapBuffers() {
        if (outBuf == null) {
            // net_vhost_vdpa_init: two page-sized anonymous mappings of QEMU's own.
            outBuf = mm.map("vhost-vdpa.cvq-out", PAGE_LEN);
            statusBuf = mm.map("vhost-vdpa.cvq-status", PAGE_LEN);
        }
        boolean batch = ops.batchBegin(asid);
        try {
            outIova = map(outBuf.base(), PAGE_LEN, true, "cvq out buffer");
            statusIova = map(statusBuf.base(), PAGE_LEN, false, "cvq status buffer");
        } finally {
            ops.batchEnd(batch);
        }
        shadowed = true;
    }

    /** vhost_vdpa_cvq_map_buf / vhost_vdpa_svq_map_ring: an IOVA from the tree, then one UPDATE in ASID 1. */
    private Iova map(Hva hva, long size, boolean readonly, String what) {
        Iova iova = tree.alloc(size);
        if (iova == null) {
            throw new IllegalStateException("vhost-vdpa: cannot allocate an IOVA for the " + what);
        }
        if (!ops.dmaMap(asid, iova, size, hva, readonly)) {
            tree.remove(iova);
            throw new IllegalStateException("vhost-vdpa: cannot map the " + what + " (" + dev.lastDetail() + ")");
        }
        return iova;
    }

    private void unmap(Iova iova, long size) {
        if (iova != null && tree.remove(iova)) {
            ops.dmaUnmap(asid, iova, size);
        }
    }

    /**
     * vhost_vdpa_svqs_start for the CVQ device: the device's base 0, kick and call fds (the SVQ's own),
     * the rings mapped in ASID 1 and their IOVAs given to the device. The guest's ring is read from now.
     */
    void startRings(QueueConfig q) {
        if (!shadowed) {
            return;
        }
        String vq = "vq " + index;
        ops.check(ops.traced("SET_VRING_BASE", vq, "vhost_vdpa_svq_setup", dev.setVringBase(index, 0)), "SET_VRING_BASE");
        ops.check(ops.traced("SET_VRING_KICK", vq, "vhost_vdpa_svq_set_fds", dev.setVringKick(index)), "SET_VRING_KICK");
        ops.check(ops.traced("SET_VRING_CALL", vq, "vhost_vdpa_svq_set_fds", dev.setVringCall(index)), "SET_VRING_CALL");
        if (vring == null || vring.areas().num() != q.size()) {
            if (vring != null) {
                vring.free();
            }
            vring = ShadowVring.allocate(mm, "vhost-vdpa.svq" + index, q.size());
        }
        vring.restart();
        boolean batch = ops.batchBegin(asid);
        try {
            driverIova = map(vring.areas().driverArea(), vring.areas().driverSize(), true, "shadow vring driver area");
            deviceIova = map(vring.areas().deviceArea(), vring.areas().deviceSize(), false, "shadow vring device area");
        } finally {
            ops.batchEnd(batch);
        }
        ops.check(ops.traced("SET_VRING_ADDR", vq, "vhost_vdpa_svqs_start", dev.setVringAddr(index, driverIova,
                Iova.of(driverIova.value() + vring.areas().availOffset()), deviceIova)), "SET_VRING_ADDR");
        guest = new GuestCtrlRing(guestMemory, q.size(), q.desc(), q.avail(), q.used(), PAGE_LEN).startAt(q.base());
    }

    /**
     * vhost_vdpa_svqs_stop → vhost_vdpa_svq_unmap_rings: driver area, then device area. Answers the
     * guest ring's last avail index (vhost_vdpa_get_vring_base of a shadowed vq), 0 when not started.
     */
    int stopRings() {
        int base = guest == null ? 0 : guest.lastAvail();
        if (vring != null && driverIova != null) {
            boolean batch = ops.batchBegin(asid);
            unmap(driverIova, vring.areas().driverSize());
            unmap(deviceIova, vring.areas().deviceSize());
            ops.batchEnd(batch);
        }
        driverIova = null;
        deviceIova = null;
        guest = null;
        return base;
    }

    /** vhost_vdpa_net_cvq_stop: the buffers unmapped (after the reset of the last device). */
    void stop() {
        if (shadowed) {
            boolean batch = ops.batchBegin(asid);
            unmap(outIova, PAGE_LEN);
            unmap(statusIova, PAGE_LEN);
            ops.batchEnd(batch);
            outIova = null;
            statusIova = null;
        }
        shadowed = false;
    }

    /**
     * The commands vhost_vdpa_net_cvq_load sends for the model's state, in its order: MAC_ADDR_SET
     * whenever CTRL_MAC_ADDR was negotiated, MAC_TABLE_SET when the table is not empty (CTRL_RX),
     * VQ_PAIRS_SET with {@code curr_queue_pairs} whenever MQ was negotiated (1 included), GUEST_OFFLOADS
     * when they differ from every supported offload, the RX modes that differ from a reset device
     * (promiscuous off, all-multicast on; with CTRL_RX_EXTRA the four others on), one VLAN_ADD per VLAN.
     */
    List<byte[]> loadCommands() {
        List<byte[]> cmds = new ArrayList<>();
        NetCtrlModel n = model;
        if (n.has(VirtioFeatures.NET_F_CTRL_MAC_ADDR)) {
            byte[] mac = new byte[VirtioNet.ETH_ALEN];
            for (int i = 0; i < mac.length; i++) {
                mac[i] = (byte) (n.mac >>> (8 * (VirtioNet.ETH_ALEN - 1 - i)));
            }
            cmds.add(cmd(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_ADDR_SET, mac));
        }
        if (n.has(VirtioFeatures.NET_F_CTRL_RX) && n.macInUse > 0) {
            int uni = n.firstMulti;
            int multi = n.macInUse - uni;
            byte[] d = new byte[8 + n.macInUse * VirtioNet.ETH_ALEN];
            putLe32(d, 0, uni);
            System.arraycopy(n.macs, 0, d, 4, uni * VirtioNet.ETH_ALEN);
            putLe32(d, 4 + uni * VirtioNet.ETH_ALEN, multi);
            System.arraycopy(n.macs, uni * VirtioNet.ETH_ALEN, d, 8 + uni * VirtioNet.ETH_ALEN, multi * VirtioNet.ETH_ALEN);
            cmds.add(cmd(VirtioNet.CTRL_MAC, VirtioNet.CTRL_MAC_TABLE_SET, d));
        }
        if (n.has(VirtioFeatures.NET_F_MQ)) {
            cmds.add(cmd(VirtioNet.CTRL_MQ, VirtioNet.CTRL_MQ_VQ_PAIRS_SET,
                    new byte[] {(byte) n.currQueuePairs, (byte) (n.currQueuePairs >>> 8)}));
        }
        if (n.has(VirtioFeatures.NET_F_CTRL_GUEST_OFFLOADS)
                && n.currGuestOffloads != (n.features() & NetCtrlModel.GUEST_OFFLOADS)) {
            byte[] d = new byte[Long.BYTES];
            for (int i = 0; i < d.length; i++) {
                d[i] = (byte) (n.currGuestOffloads >>> (8 * i));
            }
            cmds.add(cmd(VirtioNet.CTRL_GUEST_OFFLOADS, VirtioNet.CTRL_GUEST_OFFLOADS_SET, d));
        }
        if (n.has(VirtioFeatures.NET_F_CTRL_RX)) {
            if (!n.uniOverflow && !n.promisc) {
                cmds.add(cmd(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_PROMISC, new byte[] {0}));
            }
            if (n.multiOverflow || n.allmulti) {
                cmds.add(cmd(VirtioNet.CTRL_RX, VirtioNet.CTRL_RX_ALLMULTI, new byte[] {1}));
            }
            if (n.has(VirtioFeatures.NET_F_CTRL_RX_EXTRA)) {
                boolean[] on = {n.alluni, n.nomulti, n.nouni, n.nobcast};
                int[] c = {VirtioNet.CTRL_RX_ALLUNI, VirtioNet.CTRL_RX_NOMULTI, VirtioNet.CTRL_RX_NOUNI,
                    VirtioNet.CTRL_RX_NOBCAST};
                for (int i = 0; i < on.length; i++) {
                    if (on[i]) {
                        cmds.add(cmd(VirtioNet.CTRL_RX, c[i], new byte[] {1}));
                    }
                }
            }
        }
        if (n.has(VirtioFeatures.NET_F_CTRL_VLAN)) {
            for (int vid = n.vlans.nextSetBit(0); vid >= 0; vid = n.vlans.nextSetBit(vid + 1)) {
                cmds.add(cmd(VirtioNet.CTRL_VLAN, VirtioNet.CTRL_VLAN_ADD, new byte[] {(byte) vid, (byte) (vid >>> 8)}));
            }
        }
        return cmds;
    }

    private static byte[] cmd(int cls, int c, byte[] data) {
        byte[] b = new byte[VirtioNet.CTRL_HDR_SIZE + data.length];
        b[0] = (byte) cls;
        b[1] = (byte) c;
        System.arraycopy(data, 0, b, VirtioNet.CTRL_HDR_SIZE, data.length);
        return b;
    }

    private static void putLe32(byte[] d, int at, int v) {
        for (int i = 0; i < Integer.BYTES; i++) {
            d[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /**
     * The shadowed half of vhost_vdpa_net_cvq_load: the commands packed one after another in the two
     * buffers (vhost_vdpa_net_load_cmd), flushed when the ring or a buffer is full and at the end
     * (vhost_vdpa_net_svq_flush: every command must come back with a one-byte VIRTIO_NET_OK). Answers
     * null, or why the load failed (-EIO: vhost_net_start fails).
     */
    String load() {
        if (!shadowed) {
            return null;
        }
        int outAt = 0;
        int inAt = 0;
        for (byte[] c : loadCommands()) {
            if (!vring.hasRoomForChain() || PAGE_LEN - outAt < c.length) {
                String err = flush(inAt);
                if (err != null) {
                    return err;
                }
                outAt = 0;
                inAt = 0;
                if (!vring.hasRoomForChain()) {
                    return "vhost-vdpa: no space on the shadow control queue (ENOSPC)";
                }
            }
            outBuf.write(outAt, c, 0, c.length);
            vring.add(outIova.value() + outAt, c.length, statusIova.value() + inAt, 1);
            dev.kick(index); // vhost_svq_add → vhost_svq_kick
            counters.cvqCommands++;
            outAt += c.length;
            inAt++;
        }
        return inAt == 0 ? null : flush(inAt);
    }

    private String flush(int inFlight) {
        dev.awaitUsed(index, inFlight);
        long written = vring.usedSince();
        if (written != inFlight) {
            return "vhost-vdpa: the control queue returned " + written + " of " + inFlight + " acks (EIO)";
        }
        for (int i = 0; i < inFlight; i++) {
            if ((statusBuf.getU8(i) & 0xff) != VirtioNet.CTRL_OK) {
                return "vhost-vdpa: the device refused a state load command (EIO)";
            }
        }
        return null;
    }

    /**
     * The guest kicked its control queue (QueueNotify): vhost_handle_guest_kick pops each chain and
     * vhost_vdpa_net_handle_ctrl_avail handles it. See {@link GuestCtrlRing} for the hostile cases.
     */
    void guestKick() {
        if (!shadowed || guest == null) {
            return;
        }
        boolean pushed = false;
        for (GuestCtrlRing.Pop p; (p = guest.pop()) != null;) {
            counters.cvqGuestChains++;
            if (p.error() != null) {
                counters.cvqGuestDropped++;
                LOG.debug("guest control chain {} dropped: {}", p.head(), p.error());
                pushed |= guest.push(p.head(), 0);
                continue;
            }
            int status = handle(p);
            boolean acked = guest.writeAck(p, status);
            if (!acked) {
                counters.cvqGuestNoAck++; // "Bad device CVQ written length": pushed with length 0
            }
            pushed |= guest.push(p.head(), acked ? 1 : 0);
        }
        if (guest.broken()) {
            counters.cvqGuestBroken++;
            LOG.warn("vhost-vdpa: guest control queue stopped: {}", guest.brokenReason());
        }
        if (pushed) {
            guestNotifier.accept(index);
        }
    }

    /** One command: answers the status the guest gets (the device's, then the model's). */
    private int handle(GuestCtrlRing.Pop p) {
        if (p.outTotal() < VirtioNet.CTRL_HDR_SIZE || p.outTotal() > PAGE_LEN) {
            // Too short to name a command, or longer than the bounce buffer (QEMU truncates it, and for an
            // over-long MAC_TABLE_SET switches the device to promiscuous mode instead): refused, not sent.
            counters.cvqGuestMalformed++;
            return VirtioNet.CTRL_ERR;
        }
        int len = (int) p.outTotal();
        if ((p.out()[0] & 0xff) == VirtioNet.CTRL_ANNOUNCE) {
            // "Guest announce capability is emulated by qemu": not forwarded; the model has no announcement pending.
            return model.apply(p.out(), len) ? VirtioNet.CTRL_OK : VirtioNet.CTRL_ERR;
        }
        if (!vring.hasRoomForChain()) {
            return VirtioNet.CTRL_ERR; // vhost_svq_add: -ENOSPC
        }
        outBuf.write(0, p.out(), 0, len);
        statusBuf.putU8(0, (byte) VirtioNet.CTRL_ERR);
        vring.add(outIova.value(), len, statusIova.value(), 1);
        dev.kick(index);
        counters.cvqCommands++;
        dev.awaitUsed(index, 1);
        long written = vring.usedSince();
        if (written < 1) {
            LOG.debug("Insufficient written data ({})", written);
            return VirtioNet.CTRL_ERR;
        }
        if ((statusBuf.getU8(0) & 0xff) != VirtioNet.CTRL_OK) {
            return VirtioNet.CTRL_ERR;
        }
        byte[] copy = new byte[len];
        outBuf.read(0, copy, 0, len); // the model reads the bounce buffer, never the guest's memory again
        if (!model.apply(copy, len)) {
            LOG.warn("Bad CVQ processing in model");
            return VirtioNet.CTRL_ERR;
        }
        return VirtioNet.CTRL_OK;
    }
}
