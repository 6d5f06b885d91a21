package org.toyvm.hw.api;

import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.toyvm.core.addr.Iova;

/**
 * The vDPA network hardware as its parent driver sees it: the virtqueue and status operations of
 * {@code vdpa_config_ops} that concern the device itself (the mapping operations stay in the
 * parent). The kernel model's parents drive it; the simulated NIC implements it.
 *
 * <p>Queues are numbered as virtio-net does: queue pair k has rx = 2k and tx = 2k+1; the control
 * queue, if any, comes last. Every access the hardware makes to rings and buffers goes through the
 * translation of an address space ({@link #setTranslations(IntFunction)}), never directly to memory:
 * the rings through the one the queue's descriptor group ({@link #vqDescGroup}) is bound to, the
 * buffers through the one of its group ({@link #vqGroup}); the two are the same group unless the
 * parent enabled a separate descriptor group.
 */
public interface VirtioNetHardware {
    /** Virtio device features the hardware offers (VERSION_1, net features...). */
    long deviceFeatures();

    /** Features the driver accepted (SET_FEATURES). */
    void setDriverFeatures(long features);

    /** Number of virtqueues (rx/tx pairs plus the control queue). */
    int numQueues();

    /** Largest queue size the hardware supports (VHOST_VDPA_GET_VRING_NUM). */
    int maxQueueSize();

    /** Number of virtqueue groups and address spaces the hardware supports. */
    int numGroups();

    int numAddressSpaces();

    /** Group of virtqueue {@code vq} (VHOST_VDPA_GET_VRING_GROUP): where its buffers are translated. */
    int vqGroup(int vq);

    /**
     * Group of virtqueue {@code vq}'s descriptor table, driver area and device area
     * ({@code get_vq_desc_group}, VHOST_VDPA_GET_VRING_DESC_GROUP): the hardware reads and writes the
     * rings through the address space this group is bound to, the buffers through {@link #vqGroup}'s.
     * Hardware that does not separate them (the default, and any device until
     * {@link #enableDescGroup()}) answers {@link #vqGroup}.
     */
    default int vqDescGroup(int vq) {
        return vqGroup(vq);
    }

    /**
     * The parent programs a descriptor group of its own for the data virtqueues' rings, as mlx5_vdpa
     * does from Linux 6.7 (a per-virtqueue {@code desc_group_mkey} next to {@code virtio_q_mkey},
     * "vdpa/mlx5: Introduce mr for vq descriptor"): {@link #numGroups()} then counts that group and
     * {@link #vqDescGroup} answers it for each data virtqueue. Answers false, changing nothing, for
     * hardware that cannot (mlx5 without the {@code desc_group_mkey_supported} capability). Called once,
     * when the parent is created; a reset does not undo it.
     */
    default boolean enableDescGroup() {
        return false;
    }

    void setVqNum(int vq, int num);

    /** SET_VRING_ADDR: where the descriptor table, avail ring and used ring are, as the device addresses them. */
    void setVqAddress(int vq, Iova desc, Iova avail, Iova used);

    /** SET_VRING_BASE: the next avail index the device will read (and used index it will write). */
    void setVqBase(int vq, int base);

    /** GET_VRING_BASE: the device's last avail index for {@code vq}. */
    int vqBase(int vq);

    void setVqReady(int vq, boolean ready);

    boolean vqReady(int vq);

    /** The driver's doorbell for {@code vq} (kick): processed on the VM's event loop. */
    void kick(int vq);

    /**
     * A driver busy-waiting on {@code vq}'s used ring in the same exit that kicked it (QEMU's
     * {@code vhost_svq_poll} on the shadow control queue): the wait lasts until the device has taken
     * the commands already sent to it (its start, the queue's enable) and processed the queue, so the
     * model runs that processing now and the caller charges the wait. An index the device does not
     * have does nothing.
     */
    void runQueueNow(int vq);

    /** Where used-buffer notifications (interrupts to the guest) go: called with the queue index. */
    void setCallHandler(IntConsumer call);

    /**
     * How the hardware finds the translation for an address space id; consulted on every access
     * through a small cache keyed by {@link DmaTranslation#generation()}.
     */
    void setTranslations(IntFunction<DmaTranslation> translationForAsid);

    /** Binds virtqueue group {@code group} (a buffer group or a descriptor group) to address space {@code asid}. */
    void setGroupAsid(int group, int asid);

    /** Device status byte (DRIVER_OK starts the datapath; NEEDS_RESET is set by the device on error). */
    int status();

    void setStatus(int status);

    /** Full device reset: queues stopped and forgotten, indices back to 0, status 0. */
    void reset();

    /** Stops processing while keeping queue state (VHOST_VDPA_SUSPEND). */
    void suspend();

    void resume();

    boolean suspended();

    /**
     * Where the device reports each VQ_PAIRS_SET it applies (one listener; a later call replaces it).
     * Hardware without a control queue never calls it; the default ignores the listener.
     */
    default void setQueuePairsListener(QueuePairsListener listener) {
    }

    /** Device config space (virtio_net_config). */
    int configSize();

    void readConfig(int offset, byte[] dst, int dstIndex, int len);

    void writeConfig(int offset, byte[] src, int srcIndex, int len);
}
