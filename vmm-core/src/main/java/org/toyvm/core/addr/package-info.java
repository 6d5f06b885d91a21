/**
 * Addresses as unsigned 64-bit numbers: the typed kinds {@link org.toyvm.core.addr.Gpa} (guest
 * physical), {@link org.toyvm.core.addr.Iova} (what a device puts on the bus) and
 * {@link org.toyvm.core.addr.Hva} (the VMM process's host virtual address), the untyped inclusive
 * range {@link org.toyvm.core.addr.AddrRange} they all share, and the arithmetic
 * ({@link org.toyvm.core.addr.U64}, {@link org.toyvm.core.addr.Pages}).
 *
 * <p>It models what QEMU's {@code hwaddr}/{@code ram_addr_t} and the kernel's {@code u64} IOVAs
 * are, with the distinction C leaves to naming made a type: a GPA cannot be passed where an IOVA or
 * a block offset is meant. Java's {@code long} is signed, so every comparison is unsigned and every
 * addition that may wrap is checked here; ranges keep an inclusive {@code last}, as the kernel's
 * {@code vhost_iotlb} does, so that all 2^64 addresses can be written down. Used as the parameter
 * types at module boundaries (queue configuration, vring addresses, DMA translation, IOTLB
 * messages).
 *
 * <p>The bottom of the project: it depends on nothing but the JDK, and must stay so.
 */
package org.toyvm.core.addr;
