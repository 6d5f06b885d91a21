/**
 * The smallest network stack that can show connectivity: Ethernet II with ARP and IPv4 ICMP echo
 * ({@link org.toyvm.vm.stack.Packets}), a host that answers ARP and echo requests and sends its own
 * pings ({@link org.toyvm.vm.stack.NetStack}), and the address values the options take
 * ({@link org.toyvm.vm.stack.MacAddress}, {@link org.toyvm.vm.stack.Ipv4Address},
 * {@link org.toyvm.vm.stack.Ipv4Cidr}), checked together by {@link org.toyvm.vm.stack.Addressing}
 * so that a configuration no network could run is refused before it starts.
 *
 * <p>The toy guest and the in-process peer each run one stack; behind VXLAN the peer is a real Linux
 * host running iputils {@code ping}, so the frames follow RFC 826, RFC 791 and RFC 792 exactly
 * (checksums included). Frames are Netty {@code ByteBuf}s with explicit ownership.
 *
 * <p>Depends on Netty's buffers only; must not depend on the machine, devices or the virtio layer —
 * it sees frames, not rings.
 */
package org.toyvm.vm.stack;
