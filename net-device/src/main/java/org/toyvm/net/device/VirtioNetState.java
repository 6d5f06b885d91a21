package org.toyvm.net.device;

import java.util.List;
import org.toyvm.core.virtio.SplitRing;

/**
 * A virtio-net device's migration state: what QEMU's {@code virtio_save} (hw/virtio/virtio.c: status,
 * ISR, queue_sel, the 64-bit guest features, config generation, per queue {@code vring.num}, the ring
 * addresses of the virtio-1 subsection, and {@code last_avail_idx}) and the net device's
 * {@code vmstate_virtio_net_device} (hw/net/virtio-net.c: MAC, promisc/allmulti and the RX_EXTRA
 * flags, the MAC table with its overflow flags, the VLAN bitmap, {@code curr_queue_pairs},
 * {@code curr_guest_offloads}) carry. Values as the stream carries them (u16 indices in an int,
 * addresses as raw u64); {@link #check} is what {@code virtio_load} and virtio-net's vmstate tests
 * refuse before anything is applied.
 */
public record VirtioNetState(int status, long driverFeatures, int interruptStatus, int queueSel, int configGeneration,
        List<QueueState> queues, Ctrl ctrl) {

    public VirtioNetState {
        queues = List.copyOf(queues);
    }

    /**
     * One virtqueue: size, the three ring addresses (raw guest physical u64), enabled, and the last
     * avail index the stop read back ({@code vdev->vq[i].last_avail_idx}).
     */
    public record QueueState(int index, int size, long desc, long avail, long used, boolean ready, int lastAvailIdx) {
    }

    /**
     * {@code VirtIONet}'s control state: MAC (48 bits), {@code curr_queue_pairs}, the RX mode flags,
     * the MAC table (unicast entries first, {@code firstMulti} of them; each MAC as 48 bits), its
     * overflow flags, the VLAN ids on, the current guest offloads.
     */
    public record Ctrl(long mac, int currQueuePairs, boolean promisc, boolean allmulti, boolean alluni,
            boolean nomulti, boolean nouni, boolean nobcast, List<Long> macTable, int firstMulti, boolean uniOverflow,
            boolean multiOverflow, List<Integer> vlans, long currGuestOffloads) {
        public Ctrl {
            macTable = List.copyOf(macTable);
            vlans = List.copyOf(vlans);
        }
    }

    /** virtio-net's MAC_TABLE_ENTRIES (vmstate's {@code mac_table_fits}). */
    public static final int MAC_TABLE_ENTRIES = 64;
    /** VLAN ids (12 bits: the vmstate's 4096-bit bitmap). */
    public static final int VLAN_IDS = 4096;

    /**
     * What virtio_load and virtio-net's vmstate refuse, on a destination device offering
     * {@code deviceFeatures} with {@code numQueues} queues of at most {@code maxQueueSize} entries:
     * null when the state can be applied, else the reason (QEMU fails the incoming migration).
     */
    public String check(long deviceFeatures, int numQueues, int maxQueueSize) {
        if ((driverFeatures & ~deviceFeatures) != 0) {
            // virtio_load → virtio_set_features_nocheck: "Features 0x%x unsupported. Allowed features: 0x%x"
            return "Features 0x" + Long.toHexString(driverFeatures) + " unsupported. Allowed features: 0x"
                    + Long.toHexString(deviceFeatures);
        }
        if (queues.size() != numQueues) {
            return "virtio-net: " + queues.size() + " virtqueues in the stream, the device has " + numQueues;
        }
        if (Integer.toUnsignedLong(queueSel) >= numQueues) {
            return "virtio-net: queue_sel " + Integer.toUnsignedString(queueSel) + " out of range";
        }
        for (int i = 0; i < queues.size(); i++) {
            String err = checkQueue(i, queues.get(i), maxQueueSize);
            if (err != null) {
                return err;
            }
        }
        return ctrl == null ? null : checkCtrl(ctrl, numQueues / 2);
    }

    private static String checkQueue(int i, QueueState q, int maxQueueSize) {
        if (q.index() != i) {
            return "VQ " + i + " carries index " + q.index();
        }
        if (q.lastAvailIdx() < 0 || q.lastAvailIdx() > 0xffff) {
            return "VQ " + i + " last_avail_idx 0x" + Integer.toHexString(q.lastAvailIdx()) + " is not 16 bits";
        }
        boolean sized = q.size() > 0 && Integer.bitCount(q.size()) == 1 && q.size() <= maxQueueSize
                && q.size() <= SplitRing.MAX_QUEUE_SIZE;
        if (q.size() != 0 && !sized) {
            return "VQ " + i + " size 0x" + Integer.toHexString(q.size()) + " invalid (max 0x"
                    + Integer.toHexString(maxQueueSize) + ")";
        }
        if (q.ready() && q.size() == 0) {
            return "VQ " + i + " enabled without a size";
        }
        if (q.desc() == 0 && q.lastAvailIdx() != 0) {
            // virtio_load: "VQ %d address 0x0 inconsistent with Host index 0x%x"
            return "VQ " + i + " address 0x0 inconsistent with Host index 0x" + Integer.toHexString(q.lastAvailIdx());
        }
        return null;
    }

    private static String checkCtrl(Ctrl c, int maxPairs) {
        if (c.currQueuePairs() < 1 || c.currQueuePairs() > Math.max(1, maxPairs)) {
            return "virtio-net: curr_queue_pairs " + c.currQueuePairs() + " out of [1, " + Math.max(1, maxPairs) + "]";
        }
        if (c.macTable().size() > MAC_TABLE_ENTRIES || c.firstMulti() < 0 || c.firstMulti() > c.macTable().size()) {
            // vmstate_virtio_net_device: mac_table_fits / mac_table_doesnt_fit
            return "virtio-net: MAC table of " + c.macTable().size() + " entries (first multicast "
                    + c.firstMulti() + ") does not fit";
        }
        for (long m : c.macTable()) {
            if ((m >>> 48) != 0) {
                return "virtio-net: MAC table entry 0x" + Long.toHexString(m) + " is not 48 bits";
            }
        }
        if ((c.mac() >>> 48) != 0) {
            return "virtio-net: MAC 0x" + Long.toHexString(c.mac()) + " is not 48 bits";
        }
        for (int v : c.vlans()) {
            if (v < 0 || v >= VLAN_IDS) {
                return "virtio-net: VLAN id " + v + " out of range";
            }
        }
        return null;
    }
}
