package org.toyvm.vm.guest;

import org.toyvm.vm.machine.Machine;

/**
 * What two machines must share for a guest to move from one to the other: QEMU refuses an incoming
 * migration whose configuration differs (ram_load: "Length mismatch" for a RAMBlock of another size;
 * vmstate_load_state: a device section the destination does not have; virtio_load: "Invalid number
 * of virtqueue pairs"). Here the guest's own view decides: one virtual clock, the same NICs with the
 * same queue pairs (the driver's queues are at fixed indices and addresses), the same RAM size (its
 * rings and buffers are at fixed GPAs).
 */
final class MigrationShape {
    private MigrationShape() {
    }

    /** Why a guest on {@code source} cannot move to {@code dest}, or null when it can. */
    static String mismatch(Machine source, Machine dest) {
        if (dest == source) {
            return "already on that machine";
        }
        if (dest.scheduler() != source.scheduler()) {
            return "the destination runs on another scheduler (a migration shares one virtual clock)";
        }
        int nics = source.nics().size();
        if (dest.nics().size() != nics) {
            return "the destination has " + dest.nics().size() + " NICs, the guest " + nics;
        }
        int pairs = source.config().net().queuePairs();
        if (dest.config().net().queuePairs() != pairs) {
            return "the destination's NICs have " + dest.config().net().queuePairs() + " queue pairs, the source's "
                    + pairs;
        }
        long mem = source.config().memoryBytes();
        if (dest.config().memoryBytes() != mem) {
            return "the destination has " + dest.config().memoryBytes() + " bytes of RAM, the source " + mem;
        }
        return null;
    }
}
