package org.toyvm.vm.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A very small host IPv4 stack: answers ARP for its address, answers ICMP echo requests, sends its
 * own pings (resolving the target with ARP first) and reports what it saw. The toy guest and the
 * in-process peer each run one.
 *
 * <p>Ownership: {@link #receive} reads the frame and leaves it to the caller; frames handed to the
 * sender belong to the sender, which must release them.
 */
public final class NetStack {
    /** What the stack reports; every method is optional. */
    public interface Events {
        /** An echo request for us arrived (and a reply was sent). */
        default void echoRequestAnswered(Packets.Echo request) {
        }

        /** A reply to one of our pings arrived. */
        default void echoReplyReceived(Packets.Echo reply) {
        }

        /** A frame that was not for us or not understood. */
        default void ignored(ByteBuf frame) {
        }
    }

    /** Pings waiting for ARP resolution are bounded (as a real stack's queue is). */
    private static final int MAX_PENDING = 8;

    private final MacAddress mac;
    private final Ipv4Cidr ip;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> sender;
    private final Events events;
    private final Map<Ipv4Address, MacAddress> arpCache = new HashMap<>();
    private final ArrayDeque<int[]> pending = new ArrayDeque<>();
    private long arpRequestsSent;
    private long framesIgnored;

    public NetStack(MacAddress mac, Ipv4Cidr ip, ByteBufAllocator alloc, Consumer<ByteBuf> sender, Events events) {
        this.mac = mac;
        this.ip = ip;
        this.alloc = alloc;
        this.sender = sender;
        this.events = events;
    }

    public MacAddress mac() {
        return mac;
    }

    public Ipv4Cidr ip() {
        return ip;
    }

    public long arpRequestsSent() {
        return arpRequestsSent;
    }

    public long framesIgnored() {
        return framesIgnored;
    }

    /** Forgets learned neighbours (a rebooted host starts with an empty ARP cache). */
    public void clearArpCache() {
        arpCache.clear();
        pending.clear();
    }

    /** Handles one received Ethernet frame (not released here). */
    public void receive(ByteBuf frame) {
        MacAddress dst = Packets.etherType(frame) < 0 ? null : Packets.dstMac(frame);
        if (dst == null || !(dst.equals(mac) || dst.isBroadcast())) {
            ignore(frame);
            return;
        }
        Packets.Arp arp = Packets.parseArp(frame);
        if (arp != null) {
            onArp(arp);
            return;
        }
        Packets.Echo echo = Packets.parseEcho(frame);
        if (echo == null || !echo.dst().equals(ip.address())) {
            ignore(frame);
            return;
        }
        arpCache.put(echo.src(), echo.srcMac());
        if (echo.type() == Packets.ICMP_ECHO_REQUEST) {
            sender.accept(Packets.echoReplyTo(alloc, frame, mac));
            events.echoRequestAnswered(echo);
        } else {
            events.echoReplyReceived(echo);
        }
    }

    private void ignore(ByteBuf frame) {
        framesIgnored++;
        events.ignored(frame);
    }

    private void onArp(Packets.Arp arp) {
        if (arp.senderIp().value() != 0) {
            arpCache.put(arp.senderIp(), arp.senderMac());
        }
        if (arp.op() == Packets.ARP_REQUEST && arp.targetIp().equals(ip.address())) {
            sender.accept(Packets.arp(alloc, Packets.ARP_REPLY, mac, ip.address(), arp.senderMac(), arp.senderIp(),
                    arp.senderMac()));
        }
        flushPending();
    }

    private void flushPending() {
        int n = pending.size();
        for (int i = 0; i < n; i++) {
            int[] p = pending.poll();
            Ipv4Address to = new Ipv4Address(p[0]);
            MacAddress m = arpCache.get(to);
            if (m != null) {
                sendEcho(m, to, p[1], p[2]);
            } else {
                pending.add(p);
            }
        }
    }

    /** Sends an echo request to {@code to}; when its MAC is unknown, ARPs first and sends on resolution. */
    public void ping(Ipv4Address to, int id, int seq) {
        MacAddress m = arpCache.get(to);
        if (m != null) {
            sendEcho(m, to, id, seq);
            return;
        }
        if (pending.size() >= MAX_PENDING) {
            pending.poll();
        }
        pending.add(new int[] {to.value(), id, seq});
        arpRequestsSent++;
        sender.accept(Packets.arp(alloc, Packets.ARP_REQUEST, mac, ip.address(), MacAddress.ZERO, to,
                MacAddress.BROADCAST));
    }

    private void sendEcho(MacAddress dstMac, Ipv4Address to, int id, int seq) {
        sender.accept(Packets.echo(alloc, Packets.ICMP_ECHO_REQUEST, dstMac, mac, ip.address(), to, id, seq,
                Packets.PING_PAYLOAD));
    }
}
