/**
 * QEMU-style network backends ("netdevs") the simulated NIC's wire port is attached to: a
 * {@link org.toyvm.netdev.WirePort} sends and receives whole Ethernet frames as Netty
 * {@code ByteBuf}s, with ownership passing on every call (the receiver releases). Implementations
 * follow QEMU's {@code net/} backends: {@link org.toyvm.netdev.InProcessWire} is a pair of connected
 * ports on the VM's scheduler (as {@code -netdev hubport} between two NICs),
 * {@link org.toyvm.netdev.UdpPort} carries frames over UDP (VXLAN-encapsulated when asked, as a Linux
 * vxlan peer expects) and {@link org.toyvm.netdev.StreamPort} over a stream socket with QEMU's 4-byte
 * big-endian length prefix ({@code -netdev stream}); {@link org.toyvm.netdev.NetdevSpec} parses the
 * {@code -netdev} option syntax. Malformed input from the network is counted and dropped, never thrown.
 *
 * <p>The package depends on vmm-core and Netty only. It knows nothing of virtio or of the device: the
 * hardware (virtio-hw) and the application use it, never the other way round.
 */
package org.toyvm.netdev;
