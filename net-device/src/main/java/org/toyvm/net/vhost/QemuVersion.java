package org.toyvm.net.vhost;

import org.toyvm.core.units.Labelled;

/**
 * The QEMU release whose vhost-vdpa frontend order the model follows, as a timeline: each constant
 * is the first release of a change the model knows, and a later constant has every change of the
 * earlier ones. The predicates say which changes a release has; nothing else compares versions
 * (follow them, never {@code compareTo}). docs/qemu-memory-and-vhost-vdpa.md §5 has the timeline
 * with the functions and commits, README "QEMU versions" the table.
 */
public enum QemuVersion implements Labelled {
    /**
     * 9.0 (9.1 is the same here): backend features negotiated at every start
     * ({@code vhost_dev_set_features} → {@code vhost_vdpa_set_backend_cap}); the listener registered
     * in {@code vhost_vdpa_dev_start} of the last device and unregistered in
     * {@code vhost_vdpa_reset_status}; {@code virtio_reset} does not reach a stopped vhost device.
     */
    V9_0("9.0"),
    /** 9.2: "virtio: Always reset vhost devices" — {@code virtio_reset} resets the vhost device after the stop. */
    V9_2("9.2"),
    /**
     * 10.1: Eugenio Pérez's series (posted by Jonah Palmer): backend features once in
     * {@code vhost_vdpa_init}, the listener registered after {@code SET_OWNER} and unregistered in
     * {@code vhost_vdpa_reset_device}.
     */
    V10_1("10.1"),
    /** master (Feb 2026): the "suspended" state moved to {@code VhostVDPAShared} (every device of the NIC). */
    MASTER("master");

    private final String label;

    QemuVersion(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** The default of every command: the newest release the model knows. */
    public static QemuVersion newest() {
        return MASTER;
    }

    private boolean atLeast(QemuVersion other) {
        return compareTo(other) >= 0;
    }

    /**
     * {@code vhost_vdpa_set_backend_cap} runs once, from {@code vhost_vdpa_init} (commit 8f0b6836a0d8
     * "vdpa: set backend capabilities at vhost_vdpa_init", 10.1). Before, {@code vhost_dev_set_features}
     * (hw/virtio/vhost.c) called it at every {@code vhost_dev_start}, right after SET_FEATURES.
     */
    public boolean negotiatesBackendFeaturesAtInit() {
        return atLeast(V10_1);
    }

    /**
     * {@code vhost_vdpa_set_owner} registers the memory listener on {@code address_space_memory}
     * right after SET_OWNER (commit e88eeb089f33 "vdpa: move memory listener register to
     * vhost_vdpa_init", 10.1): all guest RAM is mapped before the guest runs. Before, only
     * {@code vhost_vdpa_dev_start} of the last device registered it, just before DRIVER_OK.
     */
    public boolean registersListenerAtSetOwner() {
        return atLeast(V10_1);
    }

    /**
     * {@code vhost_vdpa_reset_device} (every SET_STATUS 0 QEMU sends) unregisters the listener (the same
     * commit, v3: "By unregistering the listener here, we can guarantee that every reset leaves the
     * device in an expected state"). Before, {@code vhost_vdpa_reset_status} did, after its reset.
     */
    public boolean unregistersListenerInResetDevice() {
        return atLeast(V10_1);
    }

    /**
     * {@code virtio_reset} (hw/virtio/virtio.c) calls {@code vhost_reset_device} whenever the vhost
     * back-end is connected, so a stopped vhost-vdpa device gets a second SET_STATUS 0 and stays at
     * status 0 (Hanna Czenczek, "virtio: Always reset vhost devices", pulled 11 Sep 2024, 9.2).
     * Before, the call was gated on {@code vhost_started}, which the preceding stop had cleared.
     */
    public boolean virtioResetResetsVhostDevice() {
        return atLeast(V9_2);
    }

    /**
     * The "suspended" flag lives in {@code VhostVDPAShared}: set by the first device's SUSPEND, read by
     * every device's {@code vhost_vdpa_get_vring_base} (Wafer Xie, v2 of 7 Nov 2025, "Fixes: 0bb302a9960a
     * vdpa: add vhost_vdpa_suspend"). Before, each {@code struct vhost_vdpa} had its own, and only the
     * first queue pair's was ever set: the other pairs skipped GET_VRING_BASE ("ring restore failed").
     */
    public boolean sharesSuspendedState() {
        return atLeast(MASTER);
    }

    /** Parses a label, with an error naming the value and every label accepted. */
    public static QemuVersion parse(String s) {
        return Labelled.parse(QemuVersion.class, "qemu", s);
    }

    @Override
    public String toString() {
        return label;
    }
}
