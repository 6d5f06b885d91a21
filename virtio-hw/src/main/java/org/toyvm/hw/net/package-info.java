/**
 * The simulated vDPA virtio-net hardware (virtio 1.x §5.1): {@link org.toyvm.hw.net.VirtioNetNic} is
 * the device shell a vDPA parent drives through {@link org.toyvm.hw.api.VirtioNetHardware} — status,
 * features, config space (MAC, link status, MTU), queue groups and address spaces — with its device
 * status and causal start in {@link org.toyvm.hw.net.DeviceStatus} and its queue array in
 * {@link org.toyvm.hw.net.NetQueues}, sized by the number of queue pairs: an {@link org.toyvm.hw.net.RxQueue} and a
 * {@link org.toyvm.hw.net.TxQueue} per pair (rx 2k, tx 2k+1) and a {@link org.toyvm.hw.net.CtrlQueue}
 * last (1..16 pairs, the control queue at 2N in a queue group of its own), each a small class on the
 * split-queue engine of {@code org.toyvm.hw.queue}. Received frames are steered among the pairs in
 * use (1 until the driver's VQ_PAIRS_SET and after a reset) by {@link org.toyvm.hw.net.FlowHash}
 * ({@code NetQueues.steer}), a
 * Toeplitz hash of addresses and ports after mlx5_vdpa's RSS. It models what
 * mlx5's and vdpa_sim's net devices do with a frame (vdpa_sim_net.c's {@code vdpasim_net_work}:
 * strip or add the 12-byte {@code virtio_net_hdr_v1}, one chain per frame, no offloads), with a TX
 * buffer pool and a small RX backlog so the steady state allocates nothing.
 *
 * <p>The control queue is real (virtio 1.x §5.1.6.5): {@link org.toyvm.hw.net.CtrlQueue} gathers a
 * command from its chain, {@link org.toyvm.hw.net.CtrlCommands} answers RX, MAC, VLAN, ANNOUNCE, MQ
 * and GUEST_OFFLOADS commands after QEMU's handlers in hw/net/virtio-net.c, and
 * {@link org.toyvm.hw.net.RxFilter} keeps what they set — RX mode, MAC table, VLAN filter, active
 * queue pairs, guest offloads — and filters received frames as QEMU's {@code receive_filter} does
 * (promiscuous after reset, so a driver that sends no command sees every frame).
 *
 * <p>Reactions to a hostile guest are one policy per case, each counted in
 * {@link org.toyvm.hw.net.NicCounters}: an untrustworthy ring sets NEEDS_RESET; a bad chain is
 * returned used with length 0 and counted by {@link org.toyvm.hw.queue.ChainError}; a DMA fault drops
 * the chain whole (nothing partially written) or ends the round on a ring; runt or oversized wire
 * frames and bad doorbells are dropped and counted. Every Netty buffer is released on every path.
 *
 * <p>Frames leave and arrive through a {@link org.toyvm.netdev.WirePort}. This package must not
 * depend on the kernel model (vdpa-backend) or QEMU's side (net-device): they meet it at hw-api.
 */
package org.toyvm.hw.net;
