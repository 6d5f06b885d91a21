package org.toyvm.vm.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Builds and parses the frames the toy stack speaks: Ethernet II carrying ARP or IPv4/ICMP echo.
 *
 * <pre>
 * Ethernet  0 dst mac(6) | 6 src mac(6) | 12 ethertype(2) | 14 payload
 * ARP      14 htype=1(2) | ptype=0x0800(2) | hlen=6 | plen=4 | op(2) | sha(6) | spa(4) | tha(6) | tpa(4)
 * IPv4     14 0x45 | tos | total len(2) | id(2) | flags+frag(2) | ttl | proto=1 | csum(2) | src(4) | dst(4)
 * ICMP     34 type(8 req, 0 reply) | code | csum(2) | id(2) | seq(2) | payload
 * </pre>
 * Multi-byte fields are big-endian (network order).
 */
public final class Packets {
    public static final int ETH_HLEN = 14;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ARP_LEN = 28;
    public static final int ARP_REQUEST = 1;
    public static final int ARP_REPLY = 2;
    public static final int IPV4_HLEN = 20;
    public static final int IPPROTO_ICMP = 1;
    public static final int ICMP_ECHO_REPLY = 0;
    public static final int ICMP_ECHO_REQUEST = 8;
    public static final int ICMP_HLEN = 8;
    /** Payload of the pings the toy stack sends (ping's default). */
    public static final int PING_PAYLOAD = 56;

    private Packets() {
    }

    /** A parsed ARP packet. */
    public record Arp(int op, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp) {
    }

    /** A parsed ICMP echo request or reply inside IPv4. */
    public record Echo(int type, MacAddress srcMac, Ipv4Address src, Ipv4Address dst, int id, int seq, int payloadLength) {
    }

    public static int etherType(ByteBuf f) {
        return f.readableBytes() < ETH_HLEN ? -1 : f.getUnsignedShort(f.readerIndex() + 12);
    }

    public static MacAddress dstMac(ByteBuf f) {
        return mac(f, f.readerIndex());
    }

    public static MacAddress srcMac(ByteBuf f) {
        return mac(f, f.readerIndex() + 6);
    }

    private static MacAddress mac(ByteBuf f, int at) {
        return new MacAddress(((long) f.getUnsignedShort(at) << 32) | f.getUnsignedInt(at + 2));
    }

    private static void writeMac(ByteBuf f, MacAddress m) {
        f.writeShort((int) (m.value() >>> 32));
        f.writeInt((int) m.value());
    }

    private static void writeEth(ByteBuf f, MacAddress dst, MacAddress src, int type) {
        writeMac(f, dst);
        writeMac(f, src);
        f.writeShort(type);
    }

    public static ByteBuf arp(ByteBufAllocator alloc, int op, MacAddress sha, Ipv4Address spa, MacAddress tha,
            Ipv4Address tpa, MacAddress ethDst) {
        ByteBuf f = alloc.buffer(ETH_HLEN + ARP_LEN);
        writeEth(f, ethDst, sha, ETHERTYPE_ARP);
        f.writeShort(1).writeShort(ETHERTYPE_IPV4).writeByte(6).writeByte(4).writeShort(op);
        writeMac(f, sha);
        f.writeInt(spa.value());
        writeMac(f, tha);
        f.writeInt(tpa.value());
        return f;
    }

    /** The ARP packet in {@code f}, or null when it is not a well-formed Ethernet/IPv4 ARP packet. */
    public static Arp parseArp(ByteBuf f) {
        int b = f.readerIndex();
        if (etherType(f) != ETHERTYPE_ARP || f.readableBytes() < ETH_HLEN + ARP_LEN) {
            return null;
        }
        int a = b + ETH_HLEN;
        if (f.getUnsignedShort(a) != 1 || f.getUnsignedShort(a + 2) != ETHERTYPE_IPV4
                || f.getUnsignedByte(a + 4) != 6 || f.getUnsignedByte(a + 5) != 4) {
            return null;
        }
        return new Arp(f.getUnsignedShort(a + 6), mac(f, a + 8), new Ipv4Address(f.getInt(a + 14)),
                mac(f, a + 18), new Ipv4Address(f.getInt(a + 24)));
    }

    public static ByteBuf echo(ByteBufAllocator alloc, int type, MacAddress dstMac, MacAddress srcMac, Ipv4Address src,
            Ipv4Address dst, int id, int seq, int payloadLength) {
        int ipLen = IPV4_HLEN + ICMP_HLEN + payloadLength;
        ByteBuf f = alloc.buffer(ETH_HLEN + ipLen);
        writeEth(f, dstMac, srcMac, ETHERTYPE_IPV4);
        int ip = f.writerIndex();
        f.writeByte(0x45).writeByte(0).writeShort(ipLen).writeShort(seq).writeShort(0x4000)
                .writeByte(64).writeByte(IPPROTO_ICMP).writeShort(0).writeInt(src.value()).writeInt(dst.value());
        f.setShort(ip + 10, checksum(f, ip, IPV4_HLEN));
        int icmp = f.writerIndex();
        f.writeByte(type).writeByte(0).writeShort(0).writeShort(id).writeShort(seq);
        for (int i = 0; i < payloadLength; i++) {
            f.writeByte(i);
        }
        f.setShort(icmp + 2, checksum(f, icmp, ICMP_HLEN + payloadLength));
        return f;
    }

    /**
     * The ICMP echo in {@code f}, or null when it is not a well-formed IPv4 ICMP echo request/reply
     * with correct checksums.
     */
    public static Echo parseEcho(ByteBuf f) {
        int b = f.readerIndex();
        if (etherType(f) != ETHERTYPE_IPV4 || f.readableBytes() < ETH_HLEN + IPV4_HLEN + ICMP_HLEN) {
            return null;
        }
        int ip = b + ETH_HLEN;
        int vihl = f.getUnsignedByte(ip);
        int ihl = (vihl & 0xf) * 4;
        int total = f.getUnsignedShort(ip + 2);
        if ((vihl >>> 4) != 4 || ihl < IPV4_HLEN || total < ihl + ICMP_HLEN || ETH_HLEN + total > f.readableBytes()
                || f.getUnsignedByte(ip + 9) != IPPROTO_ICMP || (f.getUnsignedShort(ip + 6) & 0x3fff) != 0
                || checksum(f, ip, ihl) != 0) {
            return null;
        }
        int icmp = ip + ihl;
        int icmpLen = total - ihl;
        int type = f.getUnsignedByte(icmp);
        if ((type != ICMP_ECHO_REQUEST && type != ICMP_ECHO_REPLY) || checksum(f, icmp, icmpLen) != 0) {
            return null;
        }
        return new Echo(type, srcMac(f), new Ipv4Address(f.getInt(ip + 12)), new Ipv4Address(f.getInt(ip + 16)),
                f.getUnsignedShort(icmp + 4), f.getUnsignedShort(icmp + 6), icmpLen - ICMP_HLEN);
    }

    /** Turns the echo request in {@code request} into its reply: same id, seq and payload (RFC 792). */
    public static ByteBuf echoReplyTo(ByteBufAllocator alloc, ByteBuf request, MacAddress myMac) {
        int b = request.readerIndex();
        int ip = b + ETH_HLEN;
        int ihl = (request.getUnsignedByte(ip) & 0xf) * 4;
        int total = request.getUnsignedShort(ip + 2);
        ByteBuf f = alloc.buffer(ETH_HLEN + total);
        f.writeBytes(request, b + 6, 6); // dst = requester
        writeMac(f, myMac);
        f.writeShort(ETHERTYPE_IPV4);
        int nip = f.writerIndex();
        f.writeBytes(request, ip, IPV4_HLEN);
        f.setInt(nip + 12, request.getInt(ip + 16));
        f.setInt(nip + 16, request.getInt(ip + 12));
        f.setByte(nip + 8, 64);
        f.setShort(nip + 2, IPV4_HLEN + total - ihl);
        f.setShort(nip + 10, 0);
        f.setShort(nip + 10, checksum(f, nip, IPV4_HLEN));
        int icmp = f.writerIndex();
        f.writeBytes(request, ip + ihl, total - ihl);
        f.setByte(icmp, ICMP_ECHO_REPLY);
        f.setShort(icmp + 2, 0);
        f.setShort(icmp + 2, checksum(f, icmp, total - ihl));
        return f;
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes at {@code at}; 0 when a stored checksum is right. */
    public static int checksum(ByteBuf f, int at, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += f.getUnsignedShort(at + i);
        }
        if (i < len) {
            sum += f.getUnsignedByte(at + i) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
