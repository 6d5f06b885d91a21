package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.parent.VdpaParents;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/**
 * The facts of issue 13 §1 for vhost-vdpa, one test each, on the two kernels they were observed on
 * (6.1.176 and 6.12.117 with vdpa_sim_net) — docs/linux-vhost-vdpa.md §8 and the functions named
 * in each comment.
 */
class KernelFactsTest {
    private static final long X = 0x4000_0000L;
    private static final long VERSION_1 = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1);
    private static final long ACCESS_PLATFORM = VirtioFeatures.bit(VirtioFeatures.F_ACCESS_PLATFORM);

    private static KernelFixture sim(KernelVersion v) {
        return new KernelFixture(v, ParentKind.VDPA_SIM, 64L << 20);
    }

    private static VhostVdpaDevice unowned(KernelFixture k, KernelVersion v) {
        VhostVdpaDevice fresh = new VhostVdpaDevice("vhost-vdpa-1", v, k.parent, k.mm, k.meter, k.counters);
        k.dev.close();
        fresh.open();
        return fresh;
    }

    /** vhost_dev_ioctl (via the default branch of vhost_vdpa_unlocked_ioctl) checks the owner first. */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void beforeSetOwnerTheVringIoctlsAreEpermAndAnIotlbWriteEfault(KernelVersion v) {
        KernelFixture k = sim(v);
        VhostVdpaDevice d = unowned(k, v);
        Map<String, Function<VhostVdpaDevice, IoctlResult>> eperm = new LinkedHashMap<>();
        eperm.put("SET_VRING_NUM", x -> x.setVringNum(0, 256));
        eperm.put("SET_VRING_BASE", x -> x.setVringBase(0, 0));
        eperm.put("GET_VRING_BASE", x -> x.getVringBase(0));
        eperm.put("SET_VRING_ADDR", x -> x.setVringAddr(0, Iova.of(0x1000), Iova.of(0x2000), Iova.of(0x3000)));
        eperm.put("SET_VRING_KICK", x -> x.setVringKick(0));
        eperm.put("VDPA_SET_VRING_ENABLE", x -> x.setVringEnable(0, 1));
        eperm.put("VDPA_GET_VRING_GROUP", x -> x.getVringGroup(0));
        eperm.forEach((name, op) -> assertEquals(Errno.EPERM, op.apply(d).errno(), name));
        assertEquals(new IoctlResult(0, Errno.OK, 256), d.getVringNum());
        assertEquals(Errno.OK, d.getStatus().errno());
        WriteResult w = d.write(VhostMsgV2.update(0, Iova.of(0), 4096, Hva.of(k.ram.base().value()),
                VhostUapi.VHOST_ACCESS_RW).encode());
        assertEquals(Errno.EFAULT, w.errno());
        assertEquals(Errno.EPERM, w.innerErrno());
        assertEquals(0, k.mm.pinnedPages());
    }

    /**
     * vhost_vdpa_set_features → vdpa_set_features → vdpasim_set_driver_features (6.1, 6.12) and
     * mlx5_vdpa verify_driver_features: no ACCESS_PLATFORM is refused (EINVAL to userspace).
     */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void setFeaturesNeedsAccessPlatformAndIsBusyAfterFeaturesOk(KernelVersion v) {
        for (ParentKind p : new ParentKind[] {ParentKind.VDPA_SIM, ParentKind.MLX5}) {
            KernelFixture k = new KernelFixture(v, p, 1L << 20);
            assertEquals(Errno.EINVAL, k.dev.setFeatures(VERSION_1).errno(), p + ": VERSION_1 alone");
            assertTrue(k.hw.calls.stream().noneMatch(c -> c.startsWith("features")), "nothing reached the device: "
                    + k.hw.calls);
            assertEquals(Errno.OK, k.dev.setFeatures(ACCESS_PLATFORM).errno(), p + ": ACCESS_PLATFORM alone");
            assertEquals(Errno.OK, k.dev.setFeatures(VERSION_1 | ACCESS_PLATFORM).errno());
            k.dev.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK);
            assertEquals(Errno.EBUSY, k.dev.setFeatures(VERSION_1 | ACCESS_PLATFORM).errno());
            assertEquals(Errno.EBUSY, k.dev.setFeatures(VERSION_1).errno(), "EBUSY is checked first");
        }
    }

    /** vhost_vdpa_pa_map: the IOVA rounded down to its page, pages counted from there, uaddr's offset dropped. */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void paModeStoresWholePages(KernelVersion v) {
        KernelFixture k = sim(v);
        long ram = k.ram.base().value();
        assertTrue(k.update(X + 0x1800, 0x1000, 0x1800, VhostUapi.VHOST_ACCESS_RW).ok());
        List<DmaEntry> entries = List.copyOf(k.dev.iotlb(0).entries());
        assertEquals(1, entries.size(), "one physically contiguous run");
        assertEquals(X + 0x1000, entries.get(0).start());
        assertEquals(X + 0x2fff, entries.get(0).last());
        assertEquals(ram + 0x1000, entries.get(0).addr());
        assertEquals(2, k.mm.pinnedPages());
        // uaddr's own offset is dropped: the same IOVA with uaddr at a page start maps that page.
        assertTrue(k.update(X + 0x10800, 0x10, 0x20000, VhostUapi.VHOST_ACCESS_RW).ok());
        DmaEntry second = k.dev.iotlb(0).find(X + 0x10000);
        assertEquals(X + 0x10000, second.start());
        assertEquals(ram + 0x20000, second.addr());
        assertEquals(3, k.mm.pinnedPages());
        // An UPDATE inside a page already mapped overlaps it.
        WriteResult w = k.update(X + 0x10f00, 0x10, 0x30000, VhostUapi.VHOST_ACCESS_RW);
        assertEquals(IotlbFailure.OVERLAP, w.failure());
    }

    /** A 1-byte UPDATE at 2^64 - 1 pins 4 KiB, covers the last page, and INVALIDATE(0, 2^64 - 1) removes it. */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void oneByteAtTheTopCoversTheLastPage(KernelVersion v) {
        KernelFixture k = sim(v);
        assertTrue(k.update(U64.MAX, 1, 0, VhostUapi.VHOST_ACCESS_RW).ok());
        DmaEntry e = k.dev.iotlb(0).find(U64.MAX);
        assertEquals(0xffff_ffff_ffff_f000L, e.start());
        assertEquals(U64.MAX, e.last());
        assertEquals(1, k.mm.pinnedPages());
        assertTrue(k.invalidate(0, U64.MAX).ok()); // [0, 2^64 - 2] overlaps [2^64 - 4096, 2^64 - 1]
        assertTrue(k.dev.iotlb(0).isEmpty());
        assertEquals(0, k.mm.pinnedPages());
    }

    /** Entries follow physically contiguous runs: 4 KiB shmem pages give one entry and one pin record each. */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void paEntriesFollowPhysicalRuns(KernelVersion v) {
        KernelFixture k = sim(v);
        RamBlock shm = k.mm.map("shm", 1L << 20, 4096);
        long uaddr = shm.base().value() + 0x800;
        assertTrue(k.write(VhostMsgV2.update(0, Iova.of(X + 0x800), 0x2000, Hva.of(uaddr), VhostUapi.VHOST_ACCESS_RW))
                .ok());
        assertEquals(3, k.dev.iotlb(0).size(), "3 pages touched, 3 runs");
        assertEquals(3, k.mm.pinnedPages());
        assertTrue(k.invalidate(X + 0x1000, 0x1000).ok(), "the middle page");
        assertEquals(2, k.mm.pinnedPages());
    }

    /** vhost_vdpa_va_map: exact range, per VMA, nothing pinned, no RLIMIT_MEMLOCK check. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void vaModeMapsExactlyAndPinsNothing(boolean acrossTwoVmas) {
        HostAddressSpace mm = new HostAddressSpace();
        FakeNetHardware hw = new FakeNetHardware();
        CostMeter meter = new CostMeter(CostProfile.defaults());
        KernelCounters counters = new KernelCounters();
        VaParent parent = new VaParent(VdpaParents.create(ParentKind.VDPA_SIM, hw, KernelVersion.V6_12, meter,
                counters));
        VhostVdpaDevice d = new VhostVdpaDevice("vhost-vdpa-0", KernelVersion.V6_12, parent, mm, meter, counters);
        RamBlock a = mm.map("a", 1L << 20);
        RamBlock b = mm.map("b", 1L << 20);
        mm.setMemlockLimitBytes(0);
        d.open();
        d.setOwner();
        long uaddr = acrossTwoVmas ? a.base().value() + (1L << 20) - 0x800 : a.base().value() + 0x1800;
        assertTrue(d.write(VhostMsgV2.update(0, Iova.of(X + 0x1800), 0x1000, Hva.of(uaddr),
                VhostUapi.VHOST_ACCESS_RW).encode()).ok());
        List<DmaEntry> entries = List.copyOf(d.iotlb(0).entries());
        assertEquals(0, mm.pinnedPages(), "VA mode pins nothing, whatever RLIMIT_MEMLOCK says");
        assertEquals(X + 0x1800, entries.get(0).start());
        assertEquals(X + 0x27ff, entries.get(entries.size() - 1).last());
        assertEquals(uaddr, entries.get(0).addr());
        if (acrossTwoVmas) {
            // find_vma of the hole after a: b, mapped from the hole's address on (the kernel's min()).
            assertEquals(2, entries.size());
            assertEquals(X + 0x1fff, entries.get(0).last());
        } else {
            assertEquals(1, entries.size());
        }
        WriteResult none = d.write(VhostMsgV2.update(0, Iova.of(0), 0x1000, Hva.of(b.base().value() + (4L << 20)),
                VhostUapi.VHOST_ACCESS_RW).encode());
        assertEquals(Errno.EFAULT, none.errno(), "no VMA at or above uaddr");
        assertEquals(Errno.EINVAL, none.innerErrno());
        assertTrue(d.write(VhostMsgV2.invalidate(0, Iova.of(0), 0).encode()).ok());
        assertTrue(d.iotlb(0).isEmpty());
    }

    /** INVALIDATE [iova, iova + size - 1] modulo 2^64 (vhost_vdpa_unmap, vhost_iotlb_itree_first). */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void invalidateOfSizeZero(KernelVersion v) {
        KernelFixture k = sim(v);
        long a = 0x10000;
        long b = 0x20000;
        assertTrue(k.update(a, 0x10000, 0, VhostUapi.VHOST_ACCESS_RW).ok());
        assertTrue(k.update(b, 0x10000, 0x10000, VhostUapi.VHOST_ACCESS_RW).ok());
        for (long iova : new long[] {a, b, b + 0x10000}) { // an entry's start (also the join), one past the end
            assertTrue(k.invalidate(iova, 0).ok());
            assertEquals(2, k.dev.iotlb(0).size(), "size 0 at " + U64.hex(iova) + " removes nothing");
        }
        assertTrue(k.invalidate(a + 0x8000, 0).ok());
        assertNull(k.dev.iotlb(0).find(a), "the entry holding iova - 1 and iova");
        assertEquals(1, k.dev.iotlb(0).size());
        assertTrue(k.invalidate(0, 0).ok());
        assertTrue(k.dev.iotlb(0).isEmpty(), "INVALIDATE(0, 0) is everything");
        assertEquals(0, k.mm.pinnedPages());
    }

    /** vhost_vdpa_fops has no read_iter and no poll: read(2) is EINVAL, poll(2) readable at once. */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void readIsEinvalAndPollReadable(KernelVersion v) {
        KernelFixture k = sim(v);
        assertEquals(IoctlResult.fail(Errno.EINVAL), k.dev.read(VhostMsgV2.SIZE));
        assertTrue((k.dev.poll() & 0x001) != 0, "POLLIN");
        k.dev.postIotlbFault(0, 0x1000, VhostUapi.VHOST_ACCESS_RO, false);
        k.dev.postIotlbFault(1, U64.MAX, VhostUapi.VHOST_ACCESS_WO, true);
        assertEquals(IoctlResult.fail(Errno.EINVAL), k.dev.read(VhostMsgV2.SIZE), "no MISS message to read");
        assertEquals(1, k.dev.deviceMisses());
        assertEquals(1, k.dev.deviceAccessFailures());
    }

    /** SET_VRING_NUM above the device maximum: accepted on 6.1 (powers of two up to 0x8000), EINVAL from 6.8. */
    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void vringNumAboveTheMaximum(KernelVersion v) {
        KernelFixture k = sim(v);
        Errno want = v.checksVringsWhileRunning() ? Errno.EINVAL : Errno.OK;
        assertEquals(want, k.dev.setVringNum(0, 512).errno());
        assertEquals(want, k.dev.setVringNum(0, 0x8000).errno());
        assertEquals(Errno.OK, k.dev.setVringNum(0, 256).errno());
    }

    /** vhost_vdpa_vring_ioctl from 6.8: SET_VRING_ADDR / BASE while DRIVER_OK and not suspended is EINVAL. */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_7", "V6_8", "V6_12"})
    void vringAddrAndBaseWhileRunning(KernelVersion v) {
        KernelFixture k = sim(v);
        k.dev.setStatus(VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK
                | VirtioStatus.DRIVER_OK);
        Errno want = v.checksVringsWhileRunning() ? Errno.EINVAL : Errno.OK;
        assertEquals(want, k.dev.setVringAddr(0, Iova.of(0x1000), Iova.of(0x2000), Iova.of(0x3000)).errno());
        assertEquals(want, k.dev.setVringBase(0, 7).errno());
        assertEquals(Errno.OK, k.dev.suspend().errno());
        assertEquals(Errno.OK, k.dev.setVringAddr(0, Iova.of(0x1000), Iova.of(0x2000), Iova.of(0x3000)).errno());
        assertEquals(Errno.OK, k.dev.setVringBase(0, 7).errno(), "accepted when suspended");
    }

    /** vhost_vdpa_suspend of v6.12 skips the op before DRIVER_OK; v6.1 calls it. */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void suspendBeforeDriverOk(KernelVersion v) {
        KernelFixture k = sim(v);
        assertEquals(Errno.OK, k.dev.suspend().errno());
        assertEquals(!v.checksVringsWhileRunning(), k.hw.calls.contains("suspend"), k.hw.calls.toString());
    }

    /** 6.1's vhost_vdpa_unlocked_ioctl has no VHOST_VDPA_RESUME: the unknown-ioctl path. */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void resume(KernelVersion v) {
        KernelFixture k = sim(v);
        assertEquals(v.hasResume() ? Errno.OK : Errno.ENOTTY, k.dev.resume().errno());
        VhostVdpaDevice d = unowned(k, v);
        assertEquals(v.hasResume() ? Errno.OK : Errno.EPERM, d.resume().errno());
    }

    /** GET/SET_BACKEND_FEATURES by version (vhost_vdpa_unlocked_ioctl of v6.1 and v6.12). */
    @ParameterizedTest
    @EnumSource(value = KernelVersion.class, names = {"V6_1", "V6_12"})
    void backendFeatures(KernelVersion v) {
        KernelFixture k = sim(v);
        boolean v612 = v == KernelVersion.V6_12;
        assertEquals(v612 ? 0x17e : 0x1e, k.dev.getBackendFeatures().value());
        long asid = VhostUapi.bit(VhostUapi.F_IOTLB_ASID);
        long descAsid = VhostUapi.bit(VhostUapi.F_DESC_ASID);
        long persist = VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST);
        assertEquals(v612 ? Errno.EINVAL : Errno.EOPNOTSUPP, k.dev.setBackendFeatures(descAsid).errno(),
                "DESC_ASID without IOTLB_ASID");
        assertEquals(Errno.EOPNOTSUPP, k.dev.setBackendFeatures(descAsid | asid).errno(),
                "DESC_ASID with IOTLB_ASID: vdpa_sim has no get_vq_desc_group");
        assertEquals(v612 ? Errno.OK : Errno.EOPNOTSUPP, k.dev.setBackendFeatures(persist).errno());
        for (int bit : new int[] {VhostUapi.F_RESUME, VhostUapi.F_ENABLE_AFTER_DRIVER_OK}) {
            assertEquals(v612 ? Errno.OK : Errno.EOPNOTSUPP, k.dev.setBackendFeatures(VhostUapi.bit(bit)).errno(),
                    "bit " + bit);
        }
        assertEquals(Errno.OK, k.dev.setBackendFeatures(0x1e).errno());
        assertEquals(0x1e, k.dev.ackedBackendFeatures());
        assertNotEquals(0, k.dev.getBackendFeatures().value() & VhostUapi.bit(VhostUapi.F_SUSPEND));
    }
}
