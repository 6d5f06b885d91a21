/**
 * The vhost uAPI as userspace sees it: the constants of {@code <linux/vhost_types.h>} and
 * {@code <linux/vhost.h>} the model speaks ({@link org.toyvm.vdpa.uapi.VhostUapi}: IOTLB message
 * types, access permissions, backend feature bits), the byte layout of {@code struct vhost_msg_v2}
 * ({@link org.toyvm.vdpa.uapi.VhostMsgV2}, checked against values compiled from the real headers;
 * its IOVA is an {@code Iova}, its user address an {@code Hva}) and the errno values
 * ({@link org.toyvm.vdpa.uapi.Errno}, x86-64 numbering).
 *
 * <p>It is the bottom layer of vdpa-backend: it depends on vmm-core's address types only and on no
 * other {@code org.toyvm.vdpa} package, so both the kernel model and its callers (QEMU's side in
 * net-device, the console, the fuzzer) can use it without pulling in the kernel.
 */
package org.toyvm.vdpa.uapi;
