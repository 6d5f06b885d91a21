package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * Issue 11 item 2 for what userspace controls: every ioctl argument and IOTLB message field is read
 * at its uAPI width as unsigned, checked before it indexes anything, and each bad value gets the errno
 * real Linux gives (drivers/vhost/vdpa.c, vhost.c, iotlb.c). The u32 fields are tried at 0, 2^31−1,
 * 2^31 and 2^32−1 (an int holding the bits), the u64 fields also at 2^63 and 2^64−1.
 */
class UnsignedArgumentsTest {
    static final int[] U32 = {0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1};
    static final long[] U64S = {0, (1L << 31) - 1, 1L << 31, (1L << 32) - 1, 1L << 63, U64.MAX};

    private static KernelFixture fixture() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.VDPA_SIM, 64L << 20);
        k.ackBackend(false);
        return k;
    }

    /** Every ioctl that carries a vring index (struct vhost_vring_state/addr.index, a u32). */
    static Stream<Arguments> vringIoctls() {
        List<Object[]> ops = List.of(
                new Object[] {"SET_VRING_NUM", (VringOp) (d, i) -> d.setVringNum(i, 256)},
                new Object[] {"SET_VRING_BASE", (VringOp) (d, i) -> d.setVringBase(i, 0)},
                new Object[] {"GET_VRING_BASE", (VringOp) VhostVdpaDevice::getVringBase},
                new Object[] {"SET_VRING_ADDR",
                    (VringOp) (d, i) -> d.setVringAddr(i, Iova.of(0x1000), Iova.of(0x2000), Iova.of(0x3000))},
                new Object[] {"SET_VRING_KICK", (VringOp) VhostVdpaDevice::setVringKick},
                new Object[] {"SET_VRING_CALL", (VringOp) VhostVdpaDevice::setVringCall},
                new Object[] {"VDPA_SET_VRING_ENABLE", (VringOp) (d, i) -> d.setVringEnable(i, 1)},
                new Object[] {"VDPA_GET_VRING_GROUP", (VringOp) VhostVdpaDevice::getVringGroup},
                new Object[] {"VDPA_SET_GROUP_ASID", (VringOp) (d, i) -> d.setGroupAsid(i, 0)});
        return ops.stream().flatMap(o -> java.util.Arrays.stream(U32).mapToObj(v -> Arguments.of(o[0], o[1], v)));
    }

    interface VringOp {
        IoctlResult apply(VhostVdpaDevice d, int index);
    }

    /** vhost_vdpa_vring_ioctl: {@code idx >= v->nvqs} is -ENOBUFS before array_index_nospec and any use. */
    @ParameterizedTest(name = "{0} index {2}")
    @MethodSource("vringIoctls")
    void vringIndexIsUnsignedAndCheckedFirst(String name, VringOp op, int index) {
        KernelFixture k = fixture();
        List<String> before = List.copyOf(k.hw.calls);
        IoctlResult r = op.apply(k.dev, index);
        if (index == 0) {
            assertEquals(Errno.OK, r.errno(), name + ": " + k.dev.lastDetail());
        } else {
            assertEquals(new IoctlResult(-1, Errno.ENOBUFS, 0), r, name + " " + Integer.toUnsignedString(index));
            assertEquals(before, k.hw.calls, "nothing reached the hardware");
        }
    }

    /** vhost_dev_ioctl checks the owner before anything: the vring ioctls are EPERM before SET_OWNER. */
    @ParameterizedTest(name = "{0} index {2}")
    @MethodSource("vringIoctls")
    void vringIoctlsBeforeSetOwnerAreEperm(String name, VringOp op, int index) {
        KernelFixture k = fixture();
        VhostVdpaDevice fresh = new VhostVdpaDevice("vhost-vdpa-1", KernelVersion.V6_7, k.parent, k.mm, k.meter,
                k.counters);
        k.dev.close();
        fresh.open();
        assertEquals(Errno.EPERM, op.apply(fresh, index).errno(), name);
    }

    /**
     * vhost_vring_set_num: 0, above 0xffff or not a power of two is -EINVAL (s.num is unsigned). A
     * power of two above the device's maximum (512 > 256) is version-dependent: {@link
     * KernelFactsTest#vringNumAboveTheMaximum}.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0x10000, 3})
    void vringNumRefused(int num) {
        KernelFixture k = fixture();
        assertEquals(Errno.EINVAL, k.dev.setVringNum(0, num).errno(), Integer.toUnsignedString(num));
        assertEquals(0, k.hw.num[0]);
        assertEquals(Errno.OK, k.dev.setVringNum(0, 256).errno());
        assertEquals(256, k.hw.num[0]);
    }

    /** vhost_vring_ioctl SET_VRING_BASE: {@code s.num > 0xffff} is -EINVAL. */
    @ParameterizedTest
    @ValueSource(ints = {0, 0xffff, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0x10000})
    void vringBase(int base) {
        KernelFixture k = fixture();
        Errno want = Integer.compareUnsigned(base, 0xffff) <= 0 ? Errno.OK : Errno.EINVAL;
        assertEquals(want, k.dev.setVringBase(1, base).errno(), Integer.toUnsignedString(base));
    }

    /** vhost_vring_set_addr: avail not 2-aligned or used not 4-aligned is -EINVAL; addresses are u64. */
    @Test
    void vringAddrAlignmentAndFullWidthAddresses() {
        KernelFixture k = fixture();
        assertEquals(Errno.EINVAL, k.dev.setVringAddr(0, Iova.of(0), Iova.of(1), Iova.of(0)).errno());
        assertEquals(Errno.EINVAL, k.dev.setVringAddr(0, Iova.of(0), Iova.of(0), Iova.of(2)).errno());
        for (long a : U64S) {
            long aligned = a & ~3L;
            assertEquals(Errno.OK, k.dev.setVringAddr(0, Iova.of(a), Iova.of(aligned), Iova.of(aligned)).errno(),
                    U64.hex(a));
        }
    }

    /** VDPA_SET_VRING_ENABLE: s.num goes to set_vq_ready(bool), so every non-zero u32 enables. */
    @ParameterizedTest
    @ValueSource(ints = {0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 1})
    void vringEnableTakesTheWholeU32(int num) {
        KernelFixture k = fixture();
        assertEquals(Errno.OK, k.dev.setVringEnable(2, num).errno());
        assertEquals(num != 0, k.hw.ready[2]);
    }

    /** VDPA_SET_GROUP_ASID: s.num (the asid, u32) at or above nas is -EINVAL; a group below nvqs but at or
     * above ngroups is the parent's -EINVAL. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE, -1})
    void groupAsid(int asid) {
        KernelFixture k = fixture();
        Errno want = Integer.compareUnsigned(asid, 2) < 0 ? Errno.OK : Errno.EINVAL;
        assertEquals(want, k.dev.setGroupAsid(1, asid).errno(), Integer.toUnsignedString(asid));
        assertEquals(Errno.EINVAL, k.dev.setGroupAsid(2, 0).errno(), "group 2 < 3 queues but >= 2 groups");
        assertEquals(Errno.ENOBUFS, k.dev.setGroupAsid(3, 0).errno(), "group >= number of queues");
    }

    /** VHOST_VDPA_SET_STATUS copies a u8: only the low byte of a wider value is read. */
    @ParameterizedTest
    @ValueSource(ints = {0x100, 0x7fffff00, Integer.MIN_VALUE, -256})
    void statusIsAByte(int value) {
        KernelFixture k = fixture();
        assertEquals(Errno.OK, k.dev.setStatus(0x0f).errno());
        assertEquals(Errno.OK, k.dev.setStatus(value).errno(), "low byte 0: a reset");
        assertEquals(0, k.dev.getStatus().value());
        assertEquals(Errno.OK, k.dev.setStatus(0x0f | value).errno(), "low byte 0x0f");
        assertEquals(0x0f, k.dev.getStatus().value());
    }

    /** vhost_vdpa_config_validate: off (u32) above the config size, len 0 or past the end is -EINVAL. */
    @ParameterizedTest
    @ValueSource(ints = {0, 24, 25, Integer.MAX_VALUE, Integer.MIN_VALUE, -1})
    void configOffsetIsUnsigned(int off) {
        KernelFixture k = fixture();
        Errno want = off == 0 ? Errno.OK : Errno.EINVAL;
        assertEquals(want, k.dev.getConfig(off, new byte[1]).errno(), Integer.toUnsignedString(off));
        assertEquals(want, k.dev.setConfig(off, new byte[1]).errno());
        assertEquals(Errno.EINVAL, k.dev.getConfig(0, new byte[0]).errno(), "len 0");
        assertEquals(Errno.EINVAL, k.dev.getConfig(0, new byte[25]).errno(), "past the end (E2BIG, reported EINVAL)");
        assertEquals(Errno.EFAULT, k.dev.getConfig(0, null).errno());
    }

    // ------------------------------------------------------------------ IOTLB messages

    private static void assertWrite(Errno errno, IotlbFailure why, WriteResult r) {
        assertEquals(errno, r.errno(), String.valueOf(r));
        assertEquals(why, r.failure(), String.valueOf(r));
        assertEquals(errno == Errno.OK ? 72 : -1, r.rc());
    }

    /** vhost_vdpa_process_iotlb_update's range checks on the u64 iova (size 4 KiB, all of 2^64 allowed). */
    @ParameterizedTest
    @MethodSource("u64s")
    void updateIova(long iova) {
        KernelFixture k = fixture();
        WriteResult r = k.update(iova, 4096, 0, VhostUapi.VHOST_ACCESS_RW);
        if (iova == U64.MAX) {
            assertWrite(Errno.EFAULT, IotlbFailure.OVERFLOW, r); // iova > U64_MAX - size + 1
            assertEquals(0, k.mm.pinnedPages());
        } else {
            assertWrite(Errno.OK, IotlbFailure.NONE, r);
            assertTrue(k.reachesRam(iova + 4095));
        }
    }

    /**
     * The u64 size: 0 is the write path's -EINVAL; a size whose page count wraps (PFN_UP of more
     * than 2^64 - 4096 bytes is 0 in vhost_vdpa_pa_map) is -EINVAL inside; anything else past the
     * mapped memory fails to pin (EFAULT).
     */
    @ParameterizedTest
    @MethodSource("u64s")
    void updateSize(long size) {
        KernelFixture k = fixture();
        WriteResult r = k.update(0, size, 0, VhostUapi.VHOST_ACCESS_RW);
        if (size == 0) {
            assertWrite(Errno.EINVAL, IotlbFailure.ZERO_SIZE, r);
        } else if (U64.le(size, 64L << 20)) {
            assertWrite(Errno.OK, IotlbFailure.NONE, r);
        } else if (U64.gt(size, U64.MAX - 4095)) {
            assertWrite(Errno.EFAULT, IotlbFailure.OVERFLOW, r);
            assertEquals(Errno.EINVAL, r.innerErrno());
        } else {
            assertWrite(Errno.EFAULT, IotlbFailure.UNMAPPED_UADDR, r);
        }
    }

    /** The u64 uaddr: none of these is mapped memory of the process (which lives at 0x7f00_0000_0000). */
    @ParameterizedTest
    @MethodSource("u64s")
    void updateUaddr(long uaddr) {
        KernelFixture k = fixture();
        assertWrite(Errno.EFAULT, IotlbFailure.UNMAPPED_UADDR,
                k.write(VhostMsgV2.update(0, Iova.of(0), 4096, Hva.of(uaddr), VhostUapi.VHOST_ACCESS_RW)));
        assertEquals(0, k.dev.iotlb(0).size());
    }

    /** The u32 asid with IOTLB_ASID acked: at or above the number of address spaces (2) is EINVAL inside. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE, -1})
    void messageAsid(int asid) {
        KernelFixture k = fixture();
        long base = k.ram.base().value();
        WriteResult r = k.write(VhostMsgV2.update(asid, Iova.of(0), 4096, Hva.of(base), VhostUapi.VHOST_ACCESS_RW));
        if (Integer.compareUnsigned(asid, 2) < 0) {
            assertWrite(Errno.OK, IotlbFailure.NONE, r);
        } else {
            assertWrite(Errno.EFAULT, IotlbFailure.BAD_ASID, r);
            assertWrite(Errno.EFAULT, IotlbFailure.BAD_ASID, k.write(VhostMsgV2.invalidate(asid, Iova.of(0), 4096)));
            assertWrite(Errno.EFAULT, IotlbFailure.BAD_ASID, k.write(VhostMsgV2.batchBegin(asid)));
        }
    }

    /** Envelope type (u32), inner type and perm (u8): unknown types are refused; perm is not checked. */
    @ParameterizedTest
    @ValueSource(ints = {0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1})
    void envelopeType(int type) {
        KernelFixture k = fixture();
        VhostMsgV2 m = new VhostMsgV2(type, 0, Iova.of(0), 4096, k.ram.base(), 3, VhostUapi.VHOST_IOTLB_UPDATE);
        assertWrite(Errno.EINVAL, IotlbFailure.BAD_ENVELOPE, k.write(m));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 7, 0x7f, 0x80, 0xff})
    void innerTypeAndPerm(int u8) {
        KernelFixture k = fixture();
        long base = k.ram.base().value();
        // Before any UPDATE the address space does not exist: other types are EINVAL for that first.
        VhostMsgV2 inner = new VhostMsgV2(VhostUapi.VHOST_IOTLB_MSG_V2, 0, Iova.of(0), 4096, Hva.of(base), 3, u8);
        assertWrite(Errno.EFAULT, IotlbFailure.BAD_ASID, k.write(inner));
        assertWrite(Errno.OK, IotlbFailure.NONE,
                k.write(VhostMsgV2.update(0, Iova.of(0x10000), 4096, Hva.of(base), u8)));
        assertEquals(u8, k.dev.iotlb(0).find(0x10000).perm(), "stored as given (vhost-vdpa does not check perm)");
        assertWrite(Errno.EFAULT, IotlbFailure.BAD_TYPE, k.write(inner));
    }

    /** INVALIDATE covers [iova, iova + size − 1] modulo 2^64 (docs/linux-vhost-vdpa.md §8, observed). */
    @Test
    void invalidateWrapsModulo2To64() {
        KernelFixture k = fixture();
        assertWrite(Errno.OK, IotlbFailure.NONE, k.update(0x100000, 1L << 20, 0, 3));
        assertWrite(Errno.OK, IotlbFailure.NONE, k.update(0x400000, 1L << 20, 1L << 20, 3));
        long pinned = k.mm.pinnedPages();
        // Size 2^64 − 1 at 2^64 − 1 ends at 2^64 − 3: a wrapped query no entry spans: nothing goes.
        assertWrite(Errno.OK, IotlbFailure.NONE, k.invalidate(U64.MAX, U64.MAX));
        assertEquals(pinned, k.mm.pinnedPages());
        // Size 0 inside the first entry removes the entry holding iova − 1 and iova.
        assertWrite(Errno.OK, IotlbFailure.NONE, k.invalidate(0x180000, 0));
        assertEquals(1, k.dev.iotlb(0).size());
        // Size 0 at iova 0 is all of 2^64.
        assertWrite(Errno.OK, IotlbFailure.NONE, k.invalidate(0, 0));
        assertEquals(0, k.dev.iotlb(0).size());
        assertEquals(0, k.mm.pinnedPages());
        assertEquals(0, k.ram.pins().pinnedPages());
    }

    /** write(2)'s count is an unsigned size_t; past the buffer nothing is readable. */
    @Test
    void writeCountIsUnsignedAndBoundedByTheBuffer() {
        KernelFixture k = fixture();
        byte[] msg = VhostMsgV2.update(0, Iova.of(0), 4096, k.ram.base(), 3).encode();
        assertWrite(Errno.OK, IotlbFailure.NONE, k.dev.write(msg, -1)); // 2^32 − 1 bytes asked, 72 there
        assertWrite(Errno.EINVAL, IotlbFailure.SHORT_WRITE, k.dev.write(msg, 39));
        byte[] forty = java.util.Arrays.copyOf(VhostMsgV2.invalidate(0, Iova.of(0), 4096).encode(), 40);
        assertWrite(Errno.OK, IotlbFailure.NONE, k.dev.write(forty, Integer.MAX_VALUE));
        assertEquals(0, k.dev.iotlb(0).size());
        assertWrite(Errno.EFAULT, IotlbFailure.SHORT_WRITE, k.dev.write(null, 72));
        assertWrite(Errno.EINVAL, IotlbFailure.SHORT_WRITE, k.dev.write(new byte[72], 0));
    }

    static Stream<Long> u64s() {
        return java.util.Arrays.stream(U64S).boxed();
    }

    /** No exception escapes for any combination of extreme u64 fields, on every parent. */
    @ParameterizedTest
    @MethodSource("parents")
    void noExceptionForExtremeMessages(ParentKind kind) {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, kind, 64L << 20);
        k.ackBackend(false);
        for (long iova : U64S) {
            for (long size : U64S) {
                for (long uaddr : new long[] {0, k.ram.base().value(), U64.MAX, 1L << 63}) {
                    for (int type : new int[] {2, 3, 5, 6, 1, 0xff}) {
                        WriteResult r = k.write(new VhostMsgV2(2, 0, Iova.of(iova), size, Hva.of(uaddr), 3, type));
                        assertTrue(r.rc() == 72 || r.rc() == -1, String.valueOf(r));
                        assertEquals(r.rc() == 72, r.errno() == Errno.OK);
                    }
                }
            }
        }
        assertWrite(Errno.OK, IotlbFailure.NONE, k.invalidate(0, 0));
        assertEquals(0, k.mm.pinnedPages(), "every pin returned");
        assertEquals(Errno.OK, k.dev.close().errno());
    }

    static Stream<ParentKind> parents() {
        return Stream.of(ParentKind.values());
    }
}
