package org.toyvm.vdpa.kernel;

import org.toyvm.core.addr.Hva;
import org.toyvm.core.addr.Iova;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.core.cost.CostProfile;
import org.toyvm.core.mem.HostAddressSpace;
import org.toyvm.core.mem.RamBlock;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.ParentSpec;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.parent.VdpaParents;
import org.toyvm.vdpa.uapi.VhostMsgV2;
import org.toyvm.vdpa.uapi.VhostUapi;

/** A process with guest RAM and an opened, owned vhost-vdpa device on the given kernel and parent. */
final class KernelFixture {
    final HostAddressSpace mm = new HostAddressSpace();
    final CostMeter meter = new CostMeter(CostProfile.defaults());
    final KernelCounters counters = new KernelCounters();
    final FakeNetHardware hw = new FakeNetHardware();
    final VdpaParent parent;
    final VhostVdpaDevice dev;
    final RamBlock ram;

    /**
     * vdpa-sim here is the per-entry, PA-mode parent these tests were written for
     * ({@code batch_mapping=0,use_va=0}); {@link #KernelFixture(KernelVersion, ParentSpec, long)} takes
     * any module options.
     */
    KernelFixture(KernelVersion v, ParentKind kind, long ramSize) {
        this(v, kind == ParentKind.VDPA_SIM ? ParentSpec.vdpaSim(false, false) : ParentSpec.shipped(kind), ramSize);
    }

    KernelFixture(KernelVersion v, ParentSpec spec, long ramSize) {
        parent = VdpaParents.create(spec, hw, v, meter, counters);
        dev = new VhostVdpaDevice("vhost-vdpa-0", v, parent, mm, meter, counters);
        ram = mm.map("pc.ram", ramSize);
        dev.open();
        dev.setOwner();
    }

    WriteResult update(long iova, long size, long offsetInRam, int perm) {
        Hva uaddr = Hva.of(ram.base().value() + offsetInRam);
        return dev.write(VhostMsgV2.update(0, Iova.of(iova), size, uaddr, perm).encode());
    }

    WriteResult invalidate(long iova, long size) {
        return dev.write(VhostMsgV2.invalidate(0, Iova.of(iova), size).encode());
    }

    WriteResult write(VhostMsgV2 m) {
        return dev.write(m.encode());
    }

    void ackBackend(boolean persist) {
        long f = VhostUapi.bit(VhostUapi.F_IOTLB_MSG_V2) | VhostUapi.bit(VhostUapi.F_IOTLB_BATCH)
                | VhostUapi.bit(VhostUapi.F_IOTLB_ASID);
        if (persist) {
            f |= VhostUapi.bit(VhostUapi.F_IOTLB_PERSIST);
        }
        IoctlResult r = dev.setBackendFeatures(f);
        if (!r.ok()) {
            throw new AssertionError("SET_BACKEND_FEATURES failed: " + r);
        }
    }

    /** What the hardware would see at {@code iova} through address space 0, or null (fault). */
    DmaEntry seen(long iova) {
        return hw.translations.apply(0).find(Iova.of(iova));
    }

    /** True when a DMA to {@code iova} would reach guest RAM (a real, non-identity mapping). */
    boolean reachesRam(long iova) {
        DmaEntry e = seen(iova);
        return e != null && !e.identity() && ram.hvaRange().contains(e.translate(iova));
    }
}
