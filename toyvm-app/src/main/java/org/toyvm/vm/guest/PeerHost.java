package org.toyvm.vm.guest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.netdev.WirePort;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.NetStack;
import org.toyvm.vm.stack.Packets;

/**
 * The in-process peer at the far end of the wire: answers ARP and ICMP echo, and pings the guest at
 * the ping interval, on the same scheduler (virtual clock).
 */
public final class PeerHost {
    /** What the peer reports. */
    public interface Events {
        void requestSent(int seq, long t);

        void replyReceived(int seq, long t);
    }

    private static final int PING_ID = 0x7065;
    private final SimScheduler sched;
    private final NetStack stack;
    private final Ipv4Address guestIp;
    private final long intervalNs;
    private final Events events;
    private boolean running;
    private int seq;
    private long quietFrom = Long.MAX_VALUE;
    private long quietUntil = Long.MIN_VALUE;

    public PeerHost(SimScheduler sched, WirePort port, MacAddress mac, Ipv4Cidr ip, Ipv4Address guestIp,
            long intervalNs, ByteBufAllocator alloc, Events events) {
        this.sched = sched;
        this.guestIp = guestIp;
        this.intervalNs = intervalNs;
        this.events = events;
        this.stack = new NetStack(mac, ip, alloc, port::send, new NetStack.Events() {
            @Override
            public void echoReplyReceived(Packets.Echo reply) {
                if (reply.id() == PING_ID) {
                    events.replyReceived(reply.seq(), sched.now());
                }
            }
        });
        port.setReceiver(this::receive);
    }

    private void receive(ByteBuf frame) {
        try {
            stack.receive(frame);
        } finally {
            frame.release();
        }
    }

    public void start() {
        running = true;
        tick();
    }

    public void stop() {
        running = false;
    }

    /**
     * Sends nothing at the ticks in {@code [from, until)}, when the caller knows that nothing sent
     * then can change what happens (a far end that cannot answer and already holds all it can
     * buffer): their sequence numbers are used up as if the requests had been lost, and the next
     * tick comes at the same time on the same interval grid. Saves simulating each of them.
     */
    public void quietBetween(long from, long until) {
        quietFrom = from;
        quietUntil = until;
    }

    private void tick() {
        if (!running) {
            return;
        }
        long now = sched.now();
        if (now >= quietFrom && now < quietUntil) {
            long skipped = (quietUntil - now + intervalNs - 1) / intervalNs;
            seq = (int) ((seq + skipped) & 0xffff);
            sched.schedule(this::tick, skipped * intervalNs);
            return;
        }
        seq = (seq + 1) & 0xffff;
        events.requestSent(seq, sched.now());
        stack.ping(guestIp, PING_ID, seq);
        sched.schedule(this::tick, intervalNs);
    }
}
