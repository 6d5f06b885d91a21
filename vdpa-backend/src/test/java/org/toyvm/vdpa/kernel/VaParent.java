package org.toyvm.vdpa.kernel;

import org.toyvm.core.addr.AddrRange;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.hw.api.VirtioNetHardware;
import org.toyvm.vdpa.bus.MappingStyle;
import org.toyvm.vdpa.bus.ParentKind;
import org.toyvm.vdpa.bus.VdpaParent;
import org.toyvm.vdpa.uapi.Errno;

/**
 * A test parent in VA mode ({@code vdpa_device.use_va}): every operation is the wrapped parent's,
 * only {@link #usesVa()} answers true — as vdpa_sim with {@code use_va=1} is the dma_map simulator
 * taking user virtual addresses.
 */
final class VaParent implements VdpaParent {
    private final VdpaParent p;

    VaParent(VdpaParent p) {
        this.p = p;
    }

    @Override
    public boolean usesVa() {
        return true;
    }

    @Override
    public boolean requiresAccessPlatform() {
        return p.requiresAccessPlatform();
    }

    @Override
    public ParentKind kind() {
        return p.kind();
    }

    @Override
    public VirtioNetHardware hardware() {
        return p.hardware();
    }

    @Override
    public int numAddressSpaces() {
        return p.numAddressSpaces();
    }

    @Override
    public int numGroups() {
        return p.numGroups();
    }

    @Override
    public MappingStyle mappingStyle() {
        return p.mappingStyle();
    }

    @Override
    public boolean hasResetMap() {
        return p.hasResetMap();
    }

    @Override
    public boolean hasCompatReset() {
        return p.hasCompatReset();
    }

    @Override
    public boolean hasSuspend() {
        return p.hasSuspend();
    }

    @Override
    public boolean hasResume() {
        return p.hasResume();
    }

    @Override
    public boolean hasSetGroupAsid() {
        return p.hasSetGroupAsid();
    }

    @Override
    public boolean hasDescGroup() {
        return p.hasDescGroup();
    }

    @Override
    public boolean advertisesPersist() {
        return p.advertisesPersist();
    }

    @Override
    public long extraBackendFeatures() {
        return p.extraBackendFeatures();
    }

    @Override
    public AddrRange iovaRange() {
        return p.iovaRange();
    }

    @Override
    public Errno resetMap(int asid) {
        return p.resetMap(asid);
    }

    @Override
    public void reset() {
        p.reset();
    }

    @Override
    public void compatReset(int flags) {
        p.compatReset(flags);
    }

    @Override
    public void suspend() {
        p.suspend();
    }

    @Override
    public void resume() {
        p.resume();
    }

    @Override
    public DmaTranslation translation(int asid) {
        return p.translation(asid);
    }
}
