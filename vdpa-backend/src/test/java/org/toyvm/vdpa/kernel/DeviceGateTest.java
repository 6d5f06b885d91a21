package org.toyvm.vdpa.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.cost.CostKind;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.uapi.Errno;

/**
 * The one entry check every ioctl passes (vhost_vdpa_unlocked_ioctl): each call is charged once;
 * a closed fd refuses everything first, then a vring ioctl needs the owner (vhost_dev_check_owner)
 * before its index is looked at (vhost_vdpa_vring_ioctl), and a device ioctl needs neither.
 */
class DeviceGateTest {
    /** Every ioctl of the device, with a vring index of 0 where it takes one. */
    private static Map<String, Function<VhostVdpaDevice, IoctlResult>> ioctls() {
        Map<String, Function<VhostVdpaDevice, IoctlResult>> m = new LinkedHashMap<>();
        m.put("SET_OWNER", VhostVdpaDevice::setOwner);
        m.put("GET_FEATURES", VhostVdpaDevice::getFeatures);
        // VERSION_1 | ACCESS_PLATFORM: a set every parent accepts (without ACCESS_PLATFORM vdpa_sim refuses it).
        m.put("SET_FEATURES", d -> d.setFeatures(0x3_0000_0000L));
        m.put("GET_BACKEND_FEATURES", VhostVdpaDevice::getBackendFeatures);
        m.put("SET_BACKEND_FEATURES", d -> d.setBackendFeatures(0));
        m.put("GET_DEVICE_ID", VhostVdpaDevice::getDeviceId);
        m.put("GET_STATUS", VhostVdpaDevice::getStatus);
        m.put("SET_STATUS", d -> d.setStatus(1));
        m.put("GET_CONFIG", d -> d.getConfig(0, new byte[6]));
        m.put("SET_CONFIG", d -> d.setConfig(0, new byte[6]));
        m.put("GET_VRING_NUM", VhostVdpaDevice::getVringNum);
        m.put("GET_IOVA_RANGE", VhostVdpaDevice::getIovaRange);
        m.put("GET_CONFIG_SIZE", VhostVdpaDevice::getConfigSize);
        m.put("GET_VQS_COUNT", VhostVdpaDevice::getVqsCount);
        m.put("GET_AS_NUM", VhostVdpaDevice::getAsNum);
        m.put("GET_GROUP_NUM", VhostVdpaDevice::getGroupNum);
        m.put("SUSPEND", VhostVdpaDevice::suspend);
        m.put("RESUME", VhostVdpaDevice::resume);
        vring(m);
        return m;
    }

    private static void vring(Map<String, Function<VhostVdpaDevice, IoctlResult>> m) {
        m.put("vring SET_VRING_NUM", d -> d.setVringNum(0, 256));
        m.put("vring SET_VRING_ADDR", d -> d.setVringAddr(0, Iova.of(0x1000), Iova.of(0x2000), Iova.of(0x3000)));
        m.put("vring SET_VRING_BASE", d -> d.setVringBase(0, 0));
        m.put("vring GET_VRING_BASE", d -> d.getVringBase(0));
        m.put("vring SET_VRING_KICK", d -> d.setVringKick(0));
        m.put("vring SET_VRING_CALL", d -> d.setVringCall(0));
        m.put("vring SET_VRING_ENABLE", d -> d.setVringEnable(0, 1));
        m.put("vring GET_VRING_GROUP", d -> d.getVringGroup(0));
        m.put("vring SET_GROUP_ASID", d -> d.setGroupAsid(0, 0));
    }

    @Test
    void aClosedFdRefusesEveryIoctlAndEachCallIsChargedOnce() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.VDPA_SIM, 1L << 20);
        assertEquals(Errno.OK, k.dev.close().errno());
        long before = k.meter.total(CostKind.IOCTL);
        k.dev.getStatus();
        long one = k.meter.total(CostKind.IOCTL) - before;
        assertTrue(one > 0, "an ioctl costs something");
        Map<String, Function<VhostVdpaDevice, IoctlResult>> all = ioctls();
        for (Map.Entry<String, Function<VhostVdpaDevice, IoctlResult>> e : all.entrySet()) {
            long t = k.meter.total(CostKind.IOCTL);
            IoctlResult r = e.getValue().apply(k.dev);
            assertEquals(Errno.EINVAL, r.errno(), e.getKey());
            assertEquals(-1, r.rc(), e.getKey());
            assertEquals(one, k.meter.total(CostKind.IOCTL) - t, e.getKey() + " charged once");
        }
    }

    @Test
    void withoutAnOwnerOnlyTheVringIoctlsAreRefused() {
        for (Map.Entry<String, Function<VhostVdpaDevice, IoctlResult>> e : ioctls().entrySet()) {
            if (e.getKey().equals("SET_OWNER")) {
                continue;
            }
            KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.VDPA_SIM, 1L << 20);
            assertEquals(Errno.OK, k.dev.close().errno());
            assertEquals(Errno.OK, k.dev.open().errno()); // open, no SET_OWNER
            Errno got = e.getValue().apply(k.dev).errno();
            if (e.getKey().startsWith("vring ")) {
                assertEquals(Errno.EPERM, got, e.getKey());
                assertEquals("caller is not the owner (no SET_OWNER)", k.dev.lastDetail(), e.getKey());
            } else {
                assertFalse(got == Errno.EPERM || got == Errno.EINVAL, e.getKey() + ": " + got);
            }
        }
    }

    @Test
    void secondSetOwnerIsEbusy() {
        KernelFixture k = new KernelFixture(KernelVersion.V6_7, ParentKind.VDPA_SIM, 1L << 20);
        assertEquals(Errno.EBUSY, k.dev.setOwner().errno());
        assertEquals("owner already set", k.dev.lastDetail());
    }
}
