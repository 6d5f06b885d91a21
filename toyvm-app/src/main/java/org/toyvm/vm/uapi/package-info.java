/**
 * {@code toyvm uapi}: a scripted console over the simulated {@code /dev/vhost-vdpa-0}
 * ({@link org.toyvm.vm.uapi.UapiConsole}). Each line is one ioctl, one IOTLB message write, or a
 * helper such as {@code mmap}; each prints one {@code STEP} line with the return code and the errno
 * name. It is the tool to try, without hardware, the sequence a userspace program would run against
 * a real kernel (docs/linux-vhost-vdpa.md §8 was reproduced this way), and the console the tests use
 * for the table of §6.
 *
 * <p>Arguments are parsed at their uAPI width and refused when they do not fit (exit 2); a value
 * that fits goes to the kernel model exactly as the kernel would see it. IOTLB messages are encoded
 * with the same {@code VhostMsgV2} encoder the VMM's frontend uses.
 *
 * <p>Depends on the kernel model (vdpa-backend) and the hardware it drives; must not depend on the
 * VMM side (net-device, the machine) — it plays userspace itself.
 */
package org.toyvm.vm.uapi;
