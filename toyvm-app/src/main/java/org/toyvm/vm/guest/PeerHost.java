package org.toyvm.vm.guest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import org.toyvm.core.time.SimScheduler;
import org.toyvm.netdev.WirePort;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.Ipv4Cidr;
import org.toyvm.vm.stack.MacAddress;
import org.toyvm.vm.stack.NetStack;
import org.toyvm.vm.stack.Packets;

/**
 * The in-process peer at the far end of the wire: answers ARP and ICMP echo, and pings the guest at
 * the ping interval, on the same scheduler (virtual clock) — one ping flow per queue pair of the
 * guest's NIC, each with its own ICMP identifier and sequence numbers, all sent at each tick.
 *
 * <p>The identifiers are the caller's choice (the experiment picks them against the NIC's flow hash so
 * that flow k lands on pair k); with one flow it is the identifier the peer always used,
 * {@link #PING_ID}.
 */
public final class PeerHost {
    /** What the peer reports; {@code flow} is the flow's index (the queue pair it targets). */
    public interface Events {
        void requestSent(int flow, int seq, long t);

        void replyReceived(int flow, int seq, long t);
    }

    /** The identifier of the peer's single flow, and where multi-flow choices start. */
    public static final int PING_ID = 0x7065;
    private final SimScheduler sched;
    private final NetStack stack;
    private final Ipv4Address guestIp;
    private final long intervalNs;
    private final Events events;
    private final int[] ids;
    private final int[] seqs;
    private boolean running;
    private boolean stopped;
    private long quietFrom = Long.MAX_VALUE;
    private long quietUntil = Long.MIN_VALUE;

    /** One ping flow (one queue pair), identifier {@link #PING_ID}. */
    public PeerHost(SimScheduler sched, WirePort port, MacAddress mac, Ipv4Cidr ip, Ipv4Address guestIp,
            long intervalNs, ByteBufAllocator alloc, Events events) {
        this(sched, port, mac, ip, guestIp, intervalNs, alloc, events, new int[] {PING_ID});
    }

    /** One ping flow per entry of {@code flowIds} (distinct 16-bit ICMP identifiers; flow k is index k). */
    public PeerHost(SimScheduler sched, WirePort port, MacAddress mac, Ipv4Cidr ip, Ipv4Address guestIp,
            long intervalNs, ByteBufAllocator alloc, Events events, int[] flowIds) {
        if (flowIds.length == 0) {
            throw new IllegalArgumentException("a peer needs at least one flow");
        }
        this.ids = Arrays.copyOf(flowIds, flowIds.length);
        this.seqs = new int[ids.length];
        this.sched = sched;
        this.guestIp = guestIp;
        this.intervalNs = intervalNs;
        this.events = events;
        this.stack = new NetStack(mac, ip, alloc, port::send, new NetStack.Events() {
            @Override
            public void echoReplyReceived(Packets.Echo reply) {
                int flow = flowOf(reply.id());
                if (flow >= 0) {
                    events.replyReceived(flow, reply.seq(), sched.now());
                }
            }
        });
        port.setReceiver(this::receive);
    }

    /** The flows' ICMP identifiers, by flow. */
    public int[] ids() {
        return Arrays.copyOf(ids, ids.length);
    }

    private int flowOf(int id) {
        for (int k = 0; k < ids.length; k++) {
            if (ids[k] == id) {
                return k;
            }
        }
        return -1;
    }

    private void receive(ByteBuf frame) {
        try {
            stack.receive(frame);
        } finally {
            frame.release();
        }
    }

    /** Starts pinging, unless the host was already stopped (a start still scheduled when a run ends early). */
    public void start() {
        if (stopped) {
            return;
        }
        running = true;
        tick();
    }

    /** Stops for good: a later {@link #start} does nothing. */
    public void stop() {
        running = false;
        stopped = true;
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
            for (int k = 0; k < seqs.length; k++) {
                seqs[k] = (int) ((seqs[k] + skipped) & 0xffff);
            }
            sched.schedule(this::tick, skipped * intervalNs);
            return;
        }
        for (int k = 0; k < seqs.length; k++) {
            seqs[k] = (seqs[k] + 1) & 0xffff;
            events.requestSent(k, seqs[k], sched.now());
            stack.ping(guestIp, ids[k], seqs[k]);
        }
        sched.schedule(this::tick, intervalNs);
    }
}
