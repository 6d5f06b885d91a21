package org.toyvm.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A listener that writes what it is told as lines ("begin", "add NAME …", "del NAME …", "nop NAME",
 * "commit"; "nop NAME" when asked), so a test can compare a transaction with the sequence QEMU's listeners would see. The
 * section's description after the name is the test's choice.
 */
final class ListenerLog implements MemoryListener {
    private final Function<MemoryRegionSection, String> describe;
    private final boolean nops;
    private final List<String> lines = new ArrayList<>();

    /** {@code nops}: whether region_nop (a section unchanged by the transaction) is written too. */
    ListenerLog(Function<MemoryRegionSection, String> describe, boolean nops) {
        this.describe = describe;
        this.nops = nops;
    }

    /** The lines so far. */
    List<String> lines() {
        return lines;
    }

    void clear() {
        lines.clear();
    }

    @Override
    public void begin() {
        lines.add("begin");
    }

    @Override
    public void commit() {
        lines.add("commit");
    }

    @Override
    public void regionAdd(MemoryRegionSection s) {
        lines.add("add " + describe.apply(s));
    }

    @Override
    public void regionDel(MemoryRegionSection s) {
        lines.add("del " + describe.apply(s));
    }

    @Override
    public void regionNop(MemoryRegionSection s) {
        if (nops) {
            lines.add("nop " + s.region().name());
        }
    }
}
