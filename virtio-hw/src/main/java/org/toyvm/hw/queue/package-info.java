/**
 * The device side of a split virtqueue (virtio 1.x §2.7), as a piece of hardware implements it:
 * {@link org.toyvm.hw.queue.SplitQueue} is configured with a size, three ring areas given as IOVAs,
 * ready and a base index; it pops available descriptor chains, walks each as a bounded iterator
 * ({@link org.toyvm.hw.queue.DescriptorChain}, whose refusals are the closed set
 * {@link org.toyvm.hw.queue.ChainError}), adds used elements, and decides at the end of a kick
 * whether the driver wants an interrupt (EVENT_IDX's {@code vring_need_event}, or the avail ring's
 * NO_INTERRUPT flag). The shape follows rust-vmm's {@code virtio-queue} crate ({@code Queue},
 * {@code DescriptorChain}); the rules follow the device half of Linux's
 * {@code drivers/virtio/virtio_ring.c} and QEMU's {@code hw/virtio/virtio.c} ({@code virtqueue_pop},
 * {@code virtqueue_fill}/{@code virtqueue_flush}, {@code virtio_should_notify}).
 *
 * <p>Every access goes through {@link org.toyvm.hw.queue.DmaEngine}, i.e. through the parent's
 * {@link org.toyvm.hw.api.DmaTranslation} — never to guest memory directly — so a translation that
 * changes or disappears (an unmap, a reset, an MR rebuild) is seen by the very next access. To make
 * that cheap the engine caches translated entries by the translation's generation and calls the
 * seam only on a miss, resolves each queue's ring areas to host memory once per generation, reads a
 * descriptor in one 16-byte access, and keeps the last translated chunk per queue: the hot path
 * allocates nothing. Hostile values are read at their spec width, unsigned, and checked before they
 * index anything; a ring state that cannot be trusted is reported to the device, never thrown.
 *
 * <p>This package knows nothing of networking: a device (virtio-net in {@code org.toyvm.hw.net})
 * stands on it. It depends on vmm-core (addresses, RAM blocks, the {@code SplitRing} layout) and the
 * hw-api seam only; it must not depend on the kernel model (vdpa-backend), on QEMU's side, or on
 * Netty beyond the {@code ByteBuf} a copy fills.
 */
package org.toyvm.hw.queue;
