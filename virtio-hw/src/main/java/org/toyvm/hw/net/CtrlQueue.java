package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.queue.ChainError;
import org.toyvm.hw.queue.DescriptorChain;

/**
 * The control queue (virtio 1.x §5.1.6.5): each chain is one command — device-readable
 * {@code {u8 class; u8 cmd}} and the command data, split across descriptors in any way, then a
 * device-writable {@code u8 ack}. The device gathers the readable bytes, runs the command
 * ({@link CtrlCommands}) and writes the ack into the first writable byte, returning the chain with
 * used length 1 (QEMU virtio_net_handle_ctrl / virtio_net_handle_ctrl_iov: {@code iov_from_buf(in_sg,
 * ..., 0, &status, 1)}, pushed with {@code sizeof(status)}).
 *
 * <p>Hostile chains, each counted: a chain the walk refuses, or whose command bytes cannot be read,
 * is returned with length 0 ({@link ChainError}, as on the data queues); a chain with no writable
 * byte for the ack is returned with length 0 and counted malformed (QEMU here calls virtio_error and
 * stops the device; the model answers what it can and goes on, so one bad command does not end
 * connectivity); an ack byte that cannot be
 * reached is a counted DMA fault, the command is not run, length 0. A header shorter than two bytes
 * or command data over {@link #MAX_COMMAND} bytes is answered VIRTIO_NET_ERR and counted malformed.
 */
final class CtrlQueue extends NetQueue {
    /**
     * The most command bytes (header included) the device reads: a MAC_TABLE_SET of over 600
     * entries; longer commands are refused rather than buffered without bound (a device-defined limit:
     * QEMU takes any size, mlx5_vdpa does not implement MAC_TABLE_SET at all).
     */
    static final int MAX_COMMAND = 4096;

    private final byte[] command = new byte[MAX_COMMAND];
    /** Writes into {@link #command} (a heap wrapper: nothing to release). */
    private final ByteBuf commandBuf = Unpooled.wrappedBuffer(command);
    private final CtrlCommands commands;

    CtrlQueue(VirtioNetNic nic, int index, CtrlCommands commands) {
        super(nic, index);
        this.commands = commands;
    }

    @Override
    void process() {
        beginKick();
        int head;
        while (nic.running() && (head = q.pop()) >= 0) {
            if (!q.addUsed(head, handle(q.chain(head)))) {
                break;
            }
        }
        endKick();
    }

    /** Runs one command chain; answers the used length (1 when an ack was written, else 0). */
    private int handle(DescriptorChain chain) {
        NicCounters counters = nic.counters();
        commandBuf.clear();
        long readable = 0;
        boolean tooLong = false;
        boolean fault = false;
        // 2^64-1 is a valid address, so a flag (not a sentinel address) says whether there is an ack byte.
        boolean hasAck = false;
        long ackAddr = 0;
        for (DescriptorChain.Descriptor d; (d = chain.next()) != null;) {
            long len = d.len(); // unsigned 32-bit
            if (d.writable()) {
                if (!hasAck && len > 0) {
                    ackAddr = d.addr();
                    hasAck = true;
                }
            } else if (len > 0 && !tooLong && !fault) {
                if (readable + len > MAX_COMMAND) {
                    tooLong = true; // keep walking: the chain's own checks still decide its fate
                } else if (q.resolve(d.addr(), (int) len, DmaEntry.PERM_RO)) {
                    q.dma().readResolved(commandBuf);
                    readable += len;
                } else {
                    fault = true;
                }
            }
        }
        if (chain.error() != ChainError.NONE) {
            counters.drop(chain.error());
            return 0;
        }
        if (fault) {
            counters.drop(ChainError.DMA_FAULT);
            return 0;
        }
        if (!hasAck) {
            counters.ctrlMalformed++;
            return 0;
        }
        if (!q.dma().resolve(q.asid(), ackAddr, 1, DmaEntry.PERM_WO)) {
            return 0; // counted by the DMA engine; nothing was changed
        }
        CtrlCommands.Ack ack;
        if (tooLong || readable < VirtioNet.CTRL_HDR_SIZE) {
            ack = CtrlCommands.Ack.MALFORMED;
        } else {
            ack = commands.execute(command[0] & 0xff, command[1] & 0xff, command, VirtioNet.CTRL_HDR_SIZE,
                    (int) readable - VirtioNet.CTRL_HDR_SIZE, nic.driverFeatures());
        }
        switch (ack) {
            case OK -> counters.ctrlOk++;
            case ERR -> counters.ctrlErr++;
            case MALFORMED -> counters.ctrlMalformed++;
        }
        return q.dma().writeU8(q.asid(), ackAddr, ack.wire) ? 1 : 0;
    }
}
