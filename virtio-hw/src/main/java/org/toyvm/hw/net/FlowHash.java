package org.toyvm.hw.net;

import io.netty.buffer.ByteBuf;

/**
 * The NIC's receive-side flow hash and the queue pair it picks (RSS): a Toeplitz hash of the IPv4
 * source and destination address and the two L4 ports, modulo the number of queue pairs in use —
 * as mlx5_vdpa steers through a TIR hashing IPv4 addresses and L4 ports (Toeplitz, the driver's
 * fixed {@code rx_hash_toeplitz_key}) into an RQT whose entries name the current pairs round robin
 * (drivers/vdpa/mlx5/net/mlx5_vnet.c create_tir / create_rqt, 6.x). The model takes the hash
 * modulo the pair count directly (the RQT's power-of-two size is left out).
 *
 * <p>ASSUMPTION for ICMP: an echo request or reply has no ports; its 16-bit identifier takes the
 * source port's place and the destination port is 0, modelled on Linux's flow dissector, which keys
 * ICMP echo flows by their identifier ({@code skb_flow_get_icmp_tci}, {@code icmp_has_id} in
 * net/core/flow_dissector.c). mlx5's hardware hashes only what its TIR names; we take it that the id
 * counts, so that pings with different ids are different flows.
 *
 * <p>Hostile frames never throw: anything that is not a whole IPv4 header behind an Ethernet header
 * (ARP, IPv6, runts, a truncated or bad IHL) goes to pair 0; a fragment after the first, or an L4
 * header cut short, is hashed on its addresses alone (ports 0), as the flow dissector stops there.
 */
public final class FlowHash {
    /** mlx5_vnet.c rx_hash_toeplitz_key (40 bytes; the first 16 cover the 12 bytes hashed here). */
    private static final int[] KEY = {0x2c, 0xc6, 0x81, 0xd1, 0x5b, 0xdb, 0xf4, 0xf7, 0xfc, 0xa2, 0x83, 0x19, 0xdb,
        0x1a, 0x3e, 0x94, 0x6b, 0x9e, 0x38, 0xd9, 0x2c, 0x9c, 0x03, 0xd1, 0xad, 0x99, 0x44, 0xa7, 0xd9, 0x56, 0x3d,
        0x59, 0x06, 0x3c, 0x25, 0xf3, 0xfc, 0x1f, 0xdc, 0x2a};
    private static final int ETH_TYPE_AT = 12;
    private static final int ETH_P_IP = 0x0800;
    private static final int IP_AT = VirtioNetNic.ETH_HLEN;
    private static final int IP_MIN_HLEN = 20;
    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int ICMP_ECHO_REPLY = 0;
    private static final int ICMP_ECHO = 8;
    private static final int IP_FRAG_OFFSET_MASK = 0x1fff;

    private FlowHash() {
    }

    /** Toeplitz hash of {@code srcIp, dstIp, srcPort, dstPort} in network byte order (all unsigned). */
    public static int hash(int srcIp, int dstIp, int srcPort, int dstPort) {
        int h = 0;
        int at = 0;
        h = mix(h, srcIp, 32, at);
        at += 32;
        h = mix(h, dstIp, 32, at);
        at += 32;
        h = mix(h, (srcPort & 0xffff) << 16 | (dstPort & 0xffff), 32, at);
        return h;
    }

    /** Folds the {@code bits} top bits of {@code v} in, from input bit {@code at}: the key window slides by one per bit. */
    private static int mix(int h, int v, int bits, int at) {
        for (int i = 0; i < bits; i++) {
            if ((v >>> (31 - i) & 1) != 0) {
                h ^= window(at + i);
            }
        }
        return h;
    }

    /** The 32 key bits starting at key bit {@code bit}. */
    private static int window(int bit) {
        int byteAt = bit >>> 3;
        int shift = bit & 7;
        long w = 0;
        for (int k = 0; k < 5; k++) {
            w = w << 8 | KEY[byteAt + k];
        }
        return (int) (w >>> (8 - shift));
    }

    /** The pair of a hash among {@code pairs} (≥ 1): the hash read unsigned, modulo the count. */
    public static int pairOf(int hash, int pairs) {
        return (int) Long.remainderUnsigned(Integer.toUnsignedLong(hash), pairs);
    }

    /** The queue pair a received frame goes to among {@code pairs} (see the class comment). */
    static int pairOf(ByteBuf frame, int pairs) {
        if (pairs <= 1) {
            return 0;
        }
        int base = frame.readerIndex();
        int len = frame.readableBytes();
        if (len < IP_AT + IP_MIN_HLEN || frame.getUnsignedShort(base + ETH_TYPE_AT) != ETH_P_IP) {
            return 0;
        }
        int ip = base + IP_AT;
        int verIhl = frame.getUnsignedByte(ip);
        int ihl = (verIhl & 0xf) * 4;
        if (verIhl >>> 4 != 4 || ihl < IP_MIN_HLEN || IP_AT + ihl > len) {
            return 0;
        }
        int src = frame.getInt(ip + 12);
        int dst = frame.getInt(ip + 16);
        int sport = 0;
        int dport = 0;
        int l4 = ip + ihl;
        int l4Len = len - IP_AT - ihl;
        boolean firstFragment = (frame.getUnsignedShort(ip + 6) & IP_FRAG_OFFSET_MASK) == 0;
        int proto = frame.getUnsignedByte(ip + 9);
        if (firstFragment) {
            if ((proto == PROTO_TCP || proto == PROTO_UDP) && l4Len >= 4) {
                sport = frame.getUnsignedShort(l4);
                dport = frame.getUnsignedShort(l4 + 2);
            } else if (proto == PROTO_ICMP && l4Len >= 6) {
                int type = frame.getUnsignedByte(l4);
                if (type == ICMP_ECHO || type == ICMP_ECHO_REPLY) {
                    sport = frame.getUnsignedShort(l4 + 4);
                }
            }
        }
        return pairOf(hash(src, dst, sport, dport), pairs);
    }
}
