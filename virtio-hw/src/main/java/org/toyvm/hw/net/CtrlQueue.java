package org.toyvm.hw.net;

import org.toyvm.hw.queue.ChainError;
import org.toyvm.hw.queue.DescriptorChain;

/**
 * The control queue: the device accepts no control command, and answers each VIRTIO_NET_ERR in the
 * ack byte — the last byte of the last device-writable buffer (virtio 1.x §5.1.6.5).
 */
final class CtrlQueue extends NetQueue {
    private static final int VIRTIO_NET_ERR = 1;

    CtrlQueue(VirtioNetNic nic, int index) {
        super(nic, index);
    }

    @Override
    void process() {
        beginKick();
        int head;
        while (nic.running() && (head = q.pop()) >= 0) {
            DescriptorChain chain = q.chain(head);
            // 2^64-1 is a valid address, so a flag (not a sentinel address) says whether there is an ack byte.
            long ackAddr = 0;
            boolean hasAck = false;
            for (DescriptorChain.Descriptor d; (d = chain.next()) != null;) {
                if (d.writable() && d.len() > 0) {
                    ackAddr = d.addr() + d.len() - 1; // no wrap: the chain checked addr + len - 1
                    hasAck = true;
                }
            }
            int written = 0;
            if (chain.error() == ChainError.NONE && hasAck
                    && q.dma().writeU8(q.asid(), ackAddr, VIRTIO_NET_ERR)) {
                written = 1;
            } else if (chain.error() != ChainError.NONE) {
                nic.counters().drop(chain.error());
            }
            if (!q.addUsed(head, written)) {
                break;
            }
        }
        endKick();
    }
}
