package org.toyvm.vdpa.parent;

import org.toyvm.core.addr.Iova;
import org.toyvm.core.addr.U64;
import org.toyvm.hw.api.DmaEntry;
import org.toyvm.hw.api.DmaTranslation;
import org.toyvm.vdpa.iotlb.VhostIotlb;

/**
 * One address space's translation inside a parent: a 1:1 map, a table, or nothing. The generation
 * changes on every change so that the NIC's translation cache notices.
 */
final class Translation implements DmaTranslation {
    /** The 1:1 map: every IOVA taken as a host physical address. */
    static final DmaEntry IDENTITY = new DmaEntry(0, U64.MAX, 0, DmaEntry.PERM_RW, true);

    enum State { IDENTITY, TABLE, NONE }

    private State state;
    private VhostIotlb table = new VhostIotlb();
    private long generation;

    Translation(State initial) {
        this.state = initial;
    }

    State state() {
        return state;
    }

    /** The table (mutable; callers bump via {@link #changed()} after changing it). */
    VhostIotlb table() {
        return table;
    }

    void setIdentity() {
        state = State.IDENTITY;
        table = new VhostIotlb();
        generation++;
    }

    void setNone() {
        state = State.NONE;
        table = new VhostIotlb();
        generation++;
    }

    void setTable(VhostIotlb t) {
        state = State.TABLE;
        table = t;
        generation++;
    }

    void changed() {
        generation++;
    }

    @Override
    public DmaEntry find(Iova iova) {
        return switch (state) {
            case IDENTITY -> IDENTITY;
            case TABLE -> table.find(iova);
            case NONE -> null;
        };
    }

    @Override
    public long generation() {
        return generation;
    }
}
