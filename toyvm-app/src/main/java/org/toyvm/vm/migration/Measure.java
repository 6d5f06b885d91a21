package org.toyvm.vm.migration;

/**
 * The downtime intervals the published tables report (docs/migration.md §1), each read off a
 * migration run the same way whatever the table.
 */
public enum Measure {
    /**
     * Si-Wei Liu's Downtime #1: the switch of the data queues to shadow virtqueues at the start of the
     * migration, the largest of any one device (the devices switch one after another).
     */
    SWITCH_WORST_DEVICE("#1", "switch to SVQ, worst device"),
    /**
     * Si-Wei Liu's Downtime #2: the resource teardown (source) and setup (destination) of every device
     * in the stop-and-copy, added together.
     */
    STOP_COPY_SUM("#2", "stop-and-copy teardown + setup, all devices summed"),
    /**
     * The QEMU 10.1 commit's interval: from the source's last VHOST_VDPA_SUSPEND to the destination's
     * last VHOST_VDPA_SET_VRING_ENABLE, across both hosts (it includes the final RAM transfer).
     */
    LAST_SUSPEND_TO_LAST_ENABLE("suspend→enable", "source's last SUSPEND to destination's last vring enable");

    private final String column;
    private final String meaning;

    Measure(String column, String meaning) {
        this.column = column;
        this.meaning = meaning;
    }

    public String column() {
        return column;
    }

    public String meaning() {
        return meaning;
    }
}
