package org.toyvm.hw.api;

/**
 * Told when the device applies a VQ_PAIRS_SET from its control queue (virtio 1.x §5.1.6.5.5): the
 * number of queue pairs in use went from {@code from} to {@code to} (each 1..max_virtqueue_pairs;
 * equal when the driver set the count already in use). A vDPA parent whose control queue is its own
 * software (mlx5_vdpa's {@code handle_ctrl_mq} → {@code change_num_qps}) installs one to do, and be
 * charged for, what the change costs its hardware. Called on the thread that processed the command.
 */
@FunctionalInterface
public interface QueuePairsListener {
    void pairsChanged(int from, int to);
}
