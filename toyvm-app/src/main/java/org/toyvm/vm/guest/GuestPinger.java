package org.toyvm.vm.guest;

import java.util.function.BooleanSupplier;
import org.toyvm.vm.stack.Ipv4Address;
import org.toyvm.vm.stack.NetStack;
import org.toyvm.vm.stack.Packets;

/**
 * The guest's ICMP side as the experiment sees it: the stack answers the peer's echo requests and
 * this reports each answer; it pings the peer every interval from the vCPU while the interface is
 * up, and reports the replies to its own pings.
 */
final class GuestPinger implements NetStack.Events {
    private static final int PING_ID = 0x7467;
    private final Vcpu vcpu;
    private final Ipv4Address peerIp;
    private final long intervalNs;
    private final GuestEvents events;
    private NetStack stack;
    private int seq;

    GuestPinger(Vcpu vcpu, Ipv4Address peerIp, long intervalNs, GuestEvents events) {
        this.vcpu = vcpu;
        this.peerIp = peerIp;
        this.intervalNs = intervalNs;
        this.events = events;
    }

    /** The stack this pinger sends through (the stack is built with this as its events). */
    void attach(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public void echoRequestAnswered(Packets.Echo request) {
        events.echoRequestAnswered(request, vcpu.scheduler().now());
    }

    @Override
    public void echoReplyReceived(Packets.Echo reply) {
        if (reply.id() == PING_ID) {
            events.guestPingReplied(reply.seq(), vcpu.scheduler().now());
        }
    }

    /** Pings now, then every interval on the vCPU, for as long as {@code running} holds. */
    void start(BooleanSupplier running) {
        if (!running.getAsBoolean() || intervalNs <= 0) {
            return;
        }
        int s = seq = (seq + 1) & 0xffff;
        events.guestPingSent(s, vcpu.scheduler().now());
        stack.ping(peerIp, PING_ID, s);
        vcpu.scheduler().schedule(() -> vcpu.run(() -> start(running)), intervalNs);
    }
}
