package org.toyvm.vdpa.parent;

import org.toyvm.core.addr.U64;
import org.toyvm.core.cost.CostKind;
import org.toyvm.core.cost.CostMeter;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.KernelCounters;
import org.toyvm.vdpa.bus.KernelEvent;
import org.toyvm.vdpa.bus.KernelVersion;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.uapi.Errno;
import org.toyvm.vdpa.uapi.VhostUapi;

/** What every parent shares: the hardware, the generation, the cost meter and the counters. */
abstract class AbstractParent implements VdpaParent {
    protected final VirtioNetHardware hw;
    protected final KernelVersion version;
    protected final CostMeter meter;
    protected final KernelCounters counters;
    protected final Translation[] as;

    AbstractParent(VirtioNetHardware hw, KernelVersion version, CostMeter meter, KernelCounters counters, int nas,
            Translation.State initial) {
        this.hw = hw;
        this.version = version;
        this.meter = meter;
        this.counters = counters;
        this.as = new Translation[nas];
        for (int i = 0; i < nas; i++) {
            as[i] = new Translation(initial);
        }
        hw.setTranslations(this::translation);
    }

    @Override
    public VirtioNetHardware hardware() {
        return hw;
    }

    @Override
    public int numAddressSpaces() {
        return as.length;
    }

    @Override
    public int numGroups() {
        return Math.min(hw.numGroups(), as.length == 1 ? 1 : hw.numGroups());
    }

    @Override
    public DmaTranslation translation(int asid) {
        return asid >= 0 && asid < as.length ? as[asid] : null;
    }

    @Override
    public boolean hasSuspend() {
        return true;
    }

    @Override
    public boolean hasResume() {
        return true;
    }

    @Override
    public void suspend() {
        counters.inc(KernelEvent.SUSPEND);
        chargeSuspend();
        hw.suspend();
    }

    @Override
    public void resume() {
        counters.inc(KernelEvent.RESUME);
        chargeResume();
        hw.resume();
    }

    /** Charges one suspend: a whole-device figure unless the parent's cost depends on its virtqueues (mlx5). */
    protected void chargeSuspend() {
        meter.chargeUnits(CostKind.SUSPEND, 1);
    }

    /** Charges one resume. */
    protected void chargeResume() {
        meter.chargeUnits(CostKind.RESUME, 1);
    }

    /** The device half of a reset; the mapping half is each parent's. */
    protected void resetHardware() {
        meter.chargeUnits(CostKind.DEVICE_RESET, 1);
        hardware().reset(); // through the parent's view, which may keep per-reset state (mlx5)
    }

    @Override
    public Errno resetMap(int asid) {
        return Errno.EOPNOTSUPP;
    }

    @Override
    public void compatReset(int flags) {
        reset();
    }

    // The optional operations as the on-chip and simulator parents have them; the platform IOMMU
    // parent (no mapping ops of its own) overrides them.

    /** reset_map and compat_reset arrived with the 6.7 series. */
    @Override
    public boolean hasResetMap() {
        return version.hasIotlbPersist();
    }

    @Override
    public boolean hasCompatReset() {
        return version.hasIotlbPersist();
    }

    @Override
    public boolean hasSetGroupAsid() {
        return true;
    }

    @Override
    public boolean advertisesPersist() {
        return false;
    }

    /** PA mode (pinning) unless a parent says otherwise. */
    @Override
    public boolean usesVa() {
        return false;
    }

    /**
     * Every parent modelled here refuses a driver feature set without ACCESS_PLATFORM
     * (vdpasim_set_driver_features, mlx5_vdpa verify_driver_features; 6.1 and 6.12).
     */
    @Override
    public boolean requiresAccessPlatform() {
        return true;
    }

    @Override
    public long extraBackendFeatures() {
        return VhostUapi.bit(VhostUapi.F_ENABLE_AFTER_DRIVER_OK);
    }

    static double gib(long bytes) {
        return U64.toDouble(bytes) / (double) (1L << 30);
    }
}
