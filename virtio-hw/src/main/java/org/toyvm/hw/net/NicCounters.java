package org.toyvm.hw.net;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.toyvm.hw.queue.ChainError;

/** What the simulated NIC counts. */
public final class NicCounters {
    long txFrames;
    long txBytes;
    long rxFrames;
    long rxBytes;
    long rxNoBuffer;
    long rxDroppedNotRunning;
    /** Wire frames shorter than an Ethernet header or longer than the MTU allows. */
    long rxDroppedBadLength;
    /** Doorbell writes of another width or naming a queue the device does not have. */
    long badDoorbells;
    long needsReset;
    long notifications;
    /** Frames the RX filter (promiscuous, MAC table, VLANs) kept from the guest. */
    long rxDroppedFiltered;
    /** Control commands answered VIRTIO_NET_OK. */
    long ctrlOk;
    /** Control commands answered VIRTIO_NET_ERR: unknown, not negotiated or out of range. */
    long ctrlErr;
    /** Control chains with no ack byte, a short header, data of the wrong size or too long. */
    long ctrlMalformed;
    /**
     * Of {@link #rxDroppedNotRunning}: frames steered to a queue pair whose RX queue is not enabled (or its
     * enable has not reached the device) while the device runs.
     */
    long rxDroppedQueueDisabled;
    final EnumMap<ChainError, Long> chainDrops = new EnumMap<>(ChainError.class);
    /** Frames written into each pair's RX queue, and taken from each pair's TX queue. */
    final long[] pairRxFrames;
    final long[] pairTxFrames;

    NicCounters(int pairs) {
        pairRxFrames = new long[pairs];
        pairTxFrames = new long[pairs];
    }

    void drop(ChainError e) {
        chainDrops.merge(e, 1L, Long::sum);
    }

    public long txFrames() {
        return txFrames;
    }

    public long rxFrames() {
        return rxFrames;
    }

    public long rxNoBuffer() {
        return rxNoBuffer;
    }

    public long rxDroppedBadLength() {
        return rxDroppedBadLength;
    }

    public long badDoorbells() {
        return badDoorbells;
    }

    public long needsResetEvents() {
        return needsReset;
    }

    public long notifications() {
        return notifications;
    }

    public long rxDroppedFiltered() {
        return rxDroppedFiltered;
    }

    public long ctrlOk() {
        return ctrlOk;
    }

    public long ctrlErr() {
        return ctrlErr;
    }

    public long ctrlMalformed() {
        return ctrlMalformed;
    }

    public long rxDroppedQueueDisabled() {
        return rxDroppedQueueDisabled;
    }

    /** The number of queue pairs counted. */
    public int pairs() {
        return pairRxFrames.length;
    }

    /** Frames received through pair {@code k}'s RX queue (0 for a pair the NIC does not have). */
    public long pairRxFrames(int k) {
        return k >= 0 && k < pairRxFrames.length ? pairRxFrames[k] : 0;
    }

    /** Frames transmitted from pair {@code k}'s TX queue (0 for a pair the NIC does not have). */
    public long pairTxFrames(int k) {
        return k >= 0 && k < pairTxFrames.length ? pairTxFrames[k] : 0;
    }

    public long chainDrops(ChainError e) {
        return chainDrops.getOrDefault(e, 0L);
    }

    public long chainDrops() {
        return chainDrops.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("tx_frames", txFrames);
        m.put("tx_bytes", txBytes);
        m.put("rx_frames", rxFrames);
        m.put("rx_bytes", rxBytes);
        m.put("rx_no_buffer", rxNoBuffer);
        m.put("rx_dropped_not_running", rxDroppedNotRunning);
        m.put("rx_dropped_bad_length", rxDroppedBadLength);
        m.put("bad_doorbells", badDoorbells);
        m.put("needs_reset", needsReset);
        m.put("notifications", notifications);
        m.put("rx_dropped_filtered", rxDroppedFiltered);
        m.put("ctrl_ok", ctrlOk);
        m.put("ctrl_err", ctrlErr);
        m.put("ctrl_malformed", ctrlMalformed);
        if (rxDroppedQueueDisabled != 0) {
            m.put("rx_dropped_queue_disabled", rxDroppedQueueDisabled);
        }
        if (pairRxFrames.length > 1) {
            for (int k = 0; k < pairRxFrames.length; k++) {
                m.put("pair" + k + "_rx_frames", pairRxFrames[k]);
                m.put("pair" + k + "_tx_frames", pairTxFrames[k]);
            }
        }
        chainDrops.forEach((k, v) -> m.put("drop_" + k.name().toLowerCase(java.util.Locale.ROOT), v));
        return m;
    }
}
