package org.toyvm.net.vhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.toyvm.net.device.VirtioMmioLayout.*;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.toyvm.core.addr.Gpa;
import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.GuestRam;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.core.time.VirtualScheduler;
import org.toyvm.core.virtio.DriverRing;
import org.toyvm.core.virtio.SplitRing;
import org.toyvm.core.virtio.VirtioFeatures;
import org.toyvm.core.virtio.VirtioNet;
import org.toyvm.core.virtio.VirtioStatus;
import org.toyvm.hw.net.VirtioNetNic;
import org.toyvm.memory.AddressSpace;
import org.toyvm.memory.MemoryRegion;
import org.toyvm.memory.MemorySystem;
import org.toyvm.net.device.VirtioNetDevice;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.kernel.VhostVdpaDevice;
import org.toyvm.vdpa.parent.VdpaParents;

/**
 * A guest on a NIC of 4 queue pairs through the register file and the vhost-vdpa frontend, the control
 * queue passed through (not shadowed): CTRL_VQ and MQ negotiate unfiltered (QEMU's vdpa_feature_bits
 * in net/vhost-vdpa.c lets them through), the queue count follows the device (2N+1), the control
 * queue (2N, vhost device N) is started last and DRIVER_OK follows its vring setup, and a
 * VQ_PAIRS_SET kicked through QueueNotify reaches the device, which acks it.
 */
class CvqPassthroughTest {
    private static final int PAIRS = 4;
    private static final int CVQ = VirtioNet.controlQueue(PAIRS);
    private static final long RAM = 16L << 20;

    final VirtualScheduler s = new VirtualScheduler();
    final HostAddressSpace mm = new HostAddressSpace();
    final VirtioNetNic nic = new VirtioNetNic(s, mm, 0x525400123456L, UnpooledByteBufAllocator.DEFAULT, PAIRS);
    final List<String> ioctls = new ArrayList<>();
    final RamBlock ram = mm.map("pc.ram", RAM);
    final GuestRam guest = GuestRam.at(ram, Gpa.of(0));
    final VhostVdpaNet fe;
    final VirtioNetDevice dev;

    CvqPassthroughTest() {
        CostMeter meter = new CostMeter(CostProfile.zero());
        KernelCounters kernel = new KernelCounters();
        VdpaParent parent = VdpaParents.create(ParentKind.MLX5, nic, KernelVersion.V6_7, meter, kernel);
        VhostVdpaDevice vdev = new VhostVdpaDevice("vhost-vdpa-0", KernelVersion.V6_7, parent, mm, meter, kernel);
        MemorySystem memory = new MemorySystem();
        MemoryRegion root = memory.container("system", U64.MAX);
        AddressSpace as = memory.addressSpace("memory", root);
        root.addSubregion(0, memory.ram("pc.ram", ram, 0, RAM));
        fe = new VhostVdpaNet(vdev, as, QemuVersion.newest(), ResetPolicy.PERSIST, (t, m, r) -> { },
                (n, a, r, by) -> ioctls.add(n + " " + a), s::now);
        dev = new VirtioNetDevice(fe);
    }

    private void setUpQueue(int q, DriverRing.Layout l) {
        dev.write(QUEUE_SEL, q, 4);
        dev.write(QUEUE_NUM, 16, 4);
        dev.write(QUEUE_DESC_LOW, l.desc().value(), 4);
        dev.write(QUEUE_DRIVER_LOW, l.avail().value(), 4);
        dev.write(QUEUE_DEVICE_LOW, l.used().value(), 4);
        dev.write(QUEUE_READY, 1, 4);
    }

    @Test
    void controlQueuePassesThroughAndDriverOkFollowsItsVringSetup() {
        dev.write(QUEUE_SEL, CVQ, 4);
        assertEquals(fe.maxQueueSize(), dev.read(QUEUE_NUM_MAX, 4), "queue 2N exists");
        dev.write(QUEUE_SEL, CVQ + 1, 4);
        assertEquals(0, dev.read(QUEUE_NUM_MAX, 4), "nothing past 2N");
        long features = VirtioFeatures.bit(VirtioFeatures.F_VERSION_1) | VirtioFeatures.bit(VirtioFeatures.NET_F_CTRL_VQ)
                | VirtioFeatures.bit(VirtioFeatures.NET_F_MQ);
        assertEquals(features, fe.deviceFeatures() & features, "offered to the guest, unfiltered");
        dev.write(STATUS, VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER, 4);
        dev.write(DRIVER_FEATURES_SEL, 0, 4);
        dev.write(DRIVER_FEATURES, features & 0xffff_ffffL, 4);
        dev.write(DRIVER_FEATURES_SEL, 1, 4);
        dev.write(DRIVER_FEATURES, features >>> 32, 4);
        int status = VirtioStatus.ACKNOWLEDGE | VirtioStatus.DRIVER | VirtioStatus.FEATURES_OK;
        dev.write(STATUS, status, 4);
        assertEquals(status, dev.read(STATUS, 4));
        for (int q = 0; q < CVQ; q++) {
            setUpQueue(q, DriverRing.contiguous(guest, 16, Gpa.of(0x10_0000 + q * 0x1000L)).layout());
        }
        DriverRing cvq = DriverRing.contiguous(guest, 16, Gpa.of(0x20_0000));
        setUpQueue(CVQ, cvq.layout());
        dev.write(STATUS, status | VirtioStatus.DRIVER_OK, 4);
        s.runUntilIdle();
        assertTrue(dev.started(), String.valueOf(dev.lastStartError()));
        int cvqAddr = ioctls.indexOf("SET_VRING_ADDR vq " + CVQ);
        int driverOk = -1;
        for (int i = 0; i < ioctls.size(); i++) {
            if (ioctls.get(i).startsWith("SET_STATUS") && ioctls.get(i).contains("DRIVER_OK")) {
                driverOk = i;
            }
        }
        assertTrue(cvqAddr >= 0 && driverOk > cvqAddr, "DRIVER_OK after the CVQ's vring setup: " + ioctls);
        assertTrue(ioctls.indexOf("SET_VRING_ADDR vq " + (CVQ - 1)) < cvqAddr, "the CVQ (device N) last");

        // VQ_PAIRS_SET 4: header+data readable, one writable ack byte; kicked through QueueNotify.
        ram.write(0x30_0000, new byte[] {(byte) VirtioNet.CTRL_MQ, (byte) VirtioNet.CTRL_MQ_VQ_PAIRS_SET, PAIRS, 0},
                0, 4);
        ram.putU8(0x30_1000, (byte) 0x5a);
        cvq.writeDesc(0, Gpa.of(0x30_0000), 4, SplitRing.DESC_F_NEXT, 1);
        cvq.writeDesc(1, Gpa.of(0x30_1000), 1, SplitRing.DESC_F_WRITE, 0);
        cvq.offer(0);
        s.runUntilIdle();
        assertEquals(0, cvq.usedIdx(), "not kicked yet");
        dev.write(QUEUE_NOTIFY, CVQ, 4);
        s.runUntilIdle();
        assertEquals(1, cvq.usedIdx());
        assertEquals(VirtioNet.CTRL_OK, ram.getU8(0x30_1000));
        assertEquals(PAIRS, nic.rxFilter().activePairs());
        assertEquals(0, dev.guestErrors());
        fe.close();
        nic.reset();
    }
}
