package org.toyvm.vm.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetStackTest {
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    /** Two stacks wired back to back; frames queue between them so nothing re-enters. */
    private final ArrayDeque<ByteBuf> toA = new ArrayDeque<>();
    private final ArrayDeque<ByteBuf> toB = new ArrayDeque<>();
    private final List<Packets.Echo> aReplies = new ArrayList<>();
    private final List<Packets.Echo> bAnswered = new ArrayList<>();

    private final NetStack a = new NetStack(MacAddress.parse("52:54:00:12:34:56"), Ipv4Cidr.parse("192.168.77.2/24"),
            alloc, toB::add, new NetStack.Events() {
                @Override
                public void echoReplyReceived(Packets.Echo reply) {
                    aReplies.add(reply);
                }
            });
    private final NetStack b = new NetStack(MacAddress.parse("52:54:00:00:00:01"), Ipv4Cidr.parse("192.168.77.1/24"),
            alloc, toA::add, new NetStack.Events() {
                @Override
                public void echoRequestAnswered(Packets.Echo request) {
                    bAnswered.add(request);
                }
            });

    private void pump() {
        while (!toA.isEmpty() || !toB.isEmpty()) {
            deliver(toB, b);
            deliver(toA, a);
        }
    }

    private static void deliver(ArrayDeque<ByteBuf> q, NetStack to) {
        ByteBuf f;
        while ((f = q.poll()) != null) {
            try {
                to.receive(f);
            } finally {
                f.release();
            }
        }
    }

    @Test
    void pingResolvesWithArpThenGetsItsReply() {
        a.ping(Ipv4Address.parse("192.168.77.1"), 7, 1);
        pump();
        assertEquals(1, a.arpRequestsSent());
        assertEquals(1, bAnswered.size());
        assertEquals(1, aReplies.size());
        Packets.Echo r = aReplies.get(0);
        assertEquals(7, r.id());
        assertEquals(1, r.seq());
        assertEquals(Packets.PING_PAYLOAD, r.payloadLength());
        assertEquals(Ipv4Address.parse("192.168.77.1"), r.src());
        // Second ping: neighbour known, no more ARP.
        a.ping(Ipv4Address.parse("192.168.77.1"), 7, 2);
        pump();
        assertEquals(1, a.arpRequestsSent());
        assertEquals(2, aReplies.size());
    }

    @Test
    void checksumsAreValidAndCorruptionIsRejected() {
        ByteBuf f = Packets.echo(alloc, Packets.ICMP_ECHO_REQUEST, MacAddress.BROADCAST, a.mac(),
                Ipv4Address.parse("1.2.3.4"), Ipv4Address.parse("5.6.7.8"), 1, 2, 56);
        try {
            assertNotNull(Packets.parseEcho(f));
            f.setByte(f.readerIndex() + 40, f.getByte(f.readerIndex() + 40) ^ 1);
            assertNull(Packets.parseEcho(f));
        } finally {
            f.release();
        }
    }

    @Test
    void garbageAndRuntFramesAreIgnoredNotFatal() {
        for (int len = 0; len < 80; len++) {
            ByteBuf f = Unpooled.buffer(len);
            for (int i = 0; i < len; i++) {
                f.writeByte(i == 12 ? 0x08 : i == 13 ? (len % 2 == 0 ? 0x06 : 0x00) : 0xff);
            }
            try {
                a.receive(f);
            } finally {
                f.release();
            }
        }
        assertTrue(a.framesIgnored() > 0);
        assertTrue(toB.isEmpty());
    }

    @Test
    void parsersNameBadInput() {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52:54:00:12:34"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("192.168.77.2/33"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse("300.1.1.1"))
                .getMessage().contains("300.1.1.1"));
        assertEquals("52:54:00:12:34:56", MacAddress.parse("52:54:00:12:34:56").toString());
        assertEquals("192.168.77.2/24", Ipv4Cidr.parse("192.168.77.2/24").toString());
    }
}
